// SPDX-License-Identifier: Apache-2.0
// Portable DEPTHWISE_CONV_2D. With depth multiplier 1 and channels in
// multiples of 4 (the layers the generator gives scratch): for each output
// row the k_h input rows it reads are copied into scratch with zero-point
// padding, so the tap loops have no bounds checks, and weights stream in
// channel-quad order. Other shapes use the reference loops.
#include "kernels/depthwise_conv.h"

#include <string.h>

#include "reference/depthwise_conv.h"

// Input rows of output row oy into scratch, padded to wp pixels.
static void dw_gather_rows(const tm_depthwise_conv_params_t *p, const int8_t *in, int oy, int wp) {
  const int c = p->in_c;
  int8_t *dst = p->scratch;
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    for (int x = 0; x < wp; ++x, dst += c) {
      const int ix = x - p->pad_left;
      if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
        memset(dst, (int)p->in_zp, (size_t)c);
      } else {
        memcpy(dst, in + ((int32_t)iy * p->in_w + ix) * c, (size_t)c);
      }
    }
  }
}

void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  if (p->depth_mult != 1 || (p->in_c & 3) || !p->scratch) {
    tm_ref_depthwise_conv(p, in, out);
    return;
  }
  const int cc = p->in_c, taps = p->k_h * p->k_w;
  const int wp = (p->out_w - 1) * p->stride_w + (p->k_w - 1) * p->dil_w + 1;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  for (int oy = 0; oy < p->out_h; ++oy) {
    dw_gather_rows(p, in, oy, wp);
    for (int ox = 0; ox < p->out_w; ++ox, out += cc) {
      const int8_t *x0 = p->scratch + ox * p->stride_w * cc;
      for (int c = 0; c < cc; c += 4) {
        const int8_t *w = p->weights + c * taps;
        // Bound: k_h*k_w taps of |x*w| <= 2^14 plus the bias.
        int32_t acc[4] = {p->bias[c], p->bias[c + 1], p->bias[c + 2], p->bias[c + 3]};
        for (int ky = 0; ky < p->k_h; ++ky) {
          const int8_t *x = x0 + ((int32_t)ky * wp) * cc + c;
          for (int kx = 0; kx < p->k_w; ++kx, w += 4, x += p->dil_w * cc) {
            for (int l = 0; l < 4; ++l) acc[l] += x[l] * w[l];
          }
        }
        for (int l = 0; l < 4; ++l) {
          out[c + l] = tm_ref_requantize(acc[l], p->mult[c + l], p->shift[c + l], zp, lo, hi);
        }
      }
    }
  }
}
