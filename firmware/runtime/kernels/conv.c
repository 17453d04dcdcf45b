// SPDX-License-Identifier: Apache-2.0
// Portable CONV_2D: each output pixel's receptive field is gathered into a
// contiguous, zero-point padded patch (1x1 unpadded convolutions over whole
// words read the input in place), then two output channels at a time take a
// plain dot product with their interleaved filters (reference/weight_layout.h).
#include "kernels/conv.h"

#include <string.h>

#include "reference/requantize.h"
#include "reference/weight_layout.h"

// Receptive field of output pixel (oy, ox) into patch, in filter order.
static void conv_gather(const tm_conv_params_t *p, const int8_t *in, int row0, int oy, int ox, int8_t *patch) {
  const int ic = p->in_c;
  const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = y0 + ky * p->dil_h;
    for (int kx = 0; kx < p->k_w; ++kx, patch += ic) {
      const int ix = x0 + kx * p->dil_w;
      if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
        memset(patch, (int)p->in_zp, (size_t)ic);
      } else {
        memcpy(patch, in + ((int32_t)(iy - row0) * p->in_w + ix) * ic, (size_t)ic);
      }
    }
  }
}

void tm_conv_eval(const tm_conv_params_t *p, const int8_t *in, int8_t *out) {
  tm_conv_eval_rows(p, in, 0, out, 0, p->out_h);
}

void tm_conv_eval_rows(const tm_conv_params_t *p, const int8_t *in, int in_row0, int8_t *out, int oy0, int oy1) {
  const int32_t k = (int32_t)p->k_h * p->k_w * p->in_c, kp = tm_ref_padded_row(k);
  const int direct = p->k_h == 1 && p->k_w == 1 && p->pad_top == 0 && p->pad_left == 0 && (p->in_c & 3) == 0;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  for (int oy = oy0; oy < oy1; ++oy) {
    for (int ox = 0; ox < p->out_w; ++ox, out += p->out_c) {
      const int8_t *a = p->scratch;
      if (direct) {
        a = in + ((int32_t)(oy * p->stride_h - in_row0) * p->in_w + ox * p->stride_w) * p->in_c;
      } else {
        conv_gather(p, in, in_row0, oy, ox, p->scratch);
      }
      const int8_t *w = p->weights;
      for (int oc = 0; oc < p->out_c; oc += 2, w += 2 * kp) {
        const int oc1 = oc + 1 < p->out_c ? oc + 1 : oc;
        // Bound: k products of |x*w| <= 2^14 plus the bias; k < 2^16 keeps the sums in int32.
        int32_t s0 = p->bias[oc], s1 = p->bias[oc1];
        for (int32_t g = 0; g < k; g += 4) {
          const int8_t *wg = w + 2 * g;
          const int n = k - g < 4 ? (int)(k - g) : 4;
          for (int t = 0; t < n; ++t) {
            s0 += a[g + t] * wg[t];
            s1 += a[g + t] * wg[4 + t];
          }
        }
        out[oc] = tm_ref_requantize(s0, p->mult[oc], p->shift[oc], zp, lo, hi);
        if (oc1 != oc) out[oc1] = tm_ref_requantize(s1, p->mult[oc1], p->shift[oc1], zp, lo, hi);
      }
    }
  }
}
