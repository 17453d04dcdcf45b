// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D 16x8 for cores with the DSP extension, depth multiplier
// 1: per output pixel the taps inside the input are found once (no bounds
// test per tap), and channels go two at a time, one word of two int16
// activations times two weights with SMLABB and SMLATT. Each channel's taps
// are summed in int32 (|x * w| <= 2^22, so up to 511 taps are exact) and
// added to the int64 bias before the spec's requantization. Other depth
// multipliers and larger windows run the reference loops.
#include "kernels/depthwise_conv_16x8.h"

#include <arm_acle.h>
#include <string.h>

#include "reference/depthwise_conv_16x8.h"

// First k in [0, n) with 0 <= start + k * step, and one past the last with start + k * step < hi.
static void dw16_range(int start, int step, int n, int hi, int *k0, int *k1) {
  int a = 0, b = n;
  while (a < n && start + a * step < 0) ++a;
  while (b > a && start + (b - 1) * step >= hi) --b;
  *k0 = a, *k1 = b;
}

void tm_depthwise_conv_16x8_eval(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  if (p->depth_mult != 1 || p->k_h * p->k_w > 511) {
    tm_ref_depthwise_conv_16x8(p, in, out);
    return;
  }
  const int c = p->in_c;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    int ky0, ky1;
    dw16_range(y0, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
    for (int ox = 0; ox < p->out_w; ++ox, out += c) {
      const int x0 = ox * p->stride_w - p->pad_left;
      int kx0, kx1;
      dw16_range(x0, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
      int oc = 0;
      for (; oc + 1 < c; oc += 2) {
        int32_t s0 = 0, s1 = 0;
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *row = in + (int32_t)(y0 + ky * p->dil_h) * p->in_w * c + oc;
          const int8_t *wr = p->weights + ky * p->k_w * c + oc;
          for (int kx = kx0; kx < kx1; ++kx) {
            int32_t xv;
            memcpy(&xv, row + (x0 + kx * p->dil_w) * c, 4);  // channels oc, oc + 1 (LDR takes any 2-byte alignment)
            const int8_t *w = wr + kx * c;
            const int32_t wv = (int32_t)(uint16_t)(int16_t)w[0] | (int32_t)((uint32_t)(int32_t)w[1] << 16);
            s0 = __smlabb(xv, wv, s0);
            s1 = __smlatt(xv, wv, s1);
          }
        }
        out[oc] = tm_ref_requantize_16x8(p->bias[oc] + s0, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
        out[oc + 1] =
            tm_ref_requantize_16x8(p->bias[oc + 1] + s1, p->mult[oc + 1], p->shift[oc + 1], p->act_min, p->act_max);
      }
      if (oc < c) {
        int32_t s = 0;
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx)
            s += (int32_t)in[((int32_t)(y0 + ky * p->dil_h) * p->in_w + x0 + kx * p->dil_w) * c + oc] *
                 p->weights[(ky * p->k_w + kx) * c + oc];
        out[oc] = tm_ref_requantize_16x8(p->bias[oc] + s, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
      }
    }
  }
}
