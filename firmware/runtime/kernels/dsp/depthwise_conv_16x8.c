// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D 16x8 for cores with the DSP extension, depth multiplier
// 1: per output pixel the taps inside the input are found once (no bounds
// test per tap), and channels go two at a time, one word of two int16
// activations times two weights with SMLABB and SMLATT. Depth multiplier
// m > 1: output channels sharing an input channel take its one activation;
// when m is a multiple of 4, one word of four int8 weights is split by
// SXTB16 into two pairs, four SMLABB/SMLABT per tap; otherwise channels go
// in pairs, the two activations packed in one word. Each channel's taps are
// summed in int32 (|x * w| <= 2^22, so up to 511 taps are exact) and added
// to the int64 bias before the spec's requantization. Larger windows run
// the reference loops.
#include "kernels/depthwise_conv_16x8.h"

#include <arm_acle.h>
#include <string.h>

#include "kernels/dsp/dsp_common.h"
#include "reference/depthwise_conv_16x8.h"

// First k in [0, n) with 0 <= start + k * step, and one past the last with start + k * step < hi.
static void dw16_range(int start, int step, int n, int hi, int *k0, int *k1) {
  int a = 0, b = n;
  while (a < n && start + a * step < 0) ++a;
  while (b > a && start + (b - 1) * step >= hi) --b;
  *k0 = a, *k1 = b;
}

static int16_t dw16_out(const tm_depthwise_conv_16x8_params_t *p, int oc, int32_t sum) {
  return tm_ref_requantize_16x8(p->bias[oc] + sum, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
}

// Depth multiplier > 1: output channel oc reads input channel oc / m.
static void dw16_multiplier(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int m = p->depth_mult, cin = p->in_c, cout = p->out_c;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    int ky0, ky1;
    dw16_range(y0, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
    for (int ox = 0; ox < p->out_w; ++ox, out += cout) {
      const int x0 = ox * p->stride_w - p->pad_left;
      int kx0, kx1;
      dw16_range(x0, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
      int oc = 0;
      if (m % 4 == 0) {
        for (; oc < cout; oc += 4) {
          int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (int ky = ky0; ky < ky1; ++ky) {
            const int16_t *row = in + (int32_t)(y0 + ky * p->dil_h) * p->in_w * cin + oc / m;
            const int8_t *wr = p->weights + ky * p->k_w * cout + oc;
            for (int kx = kx0; kx < kx1; ++kx) {
              const int32_t xv = row[(x0 + kx * p->dil_w) * cin];
              const uint32_t wv = tm_dsp_load4(wr + kx * cout);  // weights oc .. oc + 3
              const int32_t even = tm_dsp_even(wv), odd = tm_dsp_odd(wv);  // (w0, w2), (w1, w3)
              s0 = __smlabb(xv, even, s0);
              s1 = __smlabb(xv, odd, s1);
              s2 = __smlabt(xv, even, s2);
              s3 = __smlabt(xv, odd, s3);
            }
          }
          out[oc] = dw16_out(p, oc, s0);
          out[oc + 1] = dw16_out(p, oc + 1, s1);
          out[oc + 2] = dw16_out(p, oc + 2, s2);
          out[oc + 3] = dw16_out(p, oc + 3, s3);
        }
      }
      for (; oc + 1 < cout; oc += 2) {
        const int ic0 = oc / m, ic1 = (oc + 1) / m;
        int32_t s0 = 0, s1 = 0;
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *row = in + (int32_t)(y0 + ky * p->dil_h) * p->in_w * cin;
          const int8_t *wr = p->weights + ky * p->k_w * cout + oc;
          for (int kx = kx0; kx < kx1; ++kx) {
            const int16_t *x = row + (x0 + kx * p->dil_w) * cin;
            const int32_t xv = (int32_t)(uint16_t)x[ic0] | (int32_t)((uint32_t)(uint16_t)x[ic1] << 16);
            const int8_t *w = wr + kx * cout;
            const int32_t wv = (int32_t)(uint16_t)(int16_t)w[0] | (int32_t)((uint32_t)(int32_t)w[1] << 16);
            s0 = __smlabb(xv, wv, s0);
            s1 = __smlatt(xv, wv, s1);
          }
        }
        out[oc] = dw16_out(p, oc, s0);
        out[oc + 1] = dw16_out(p, oc + 1, s1);
      }
      if (oc < cout) {
        int32_t s = 0;
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx)
            s += (int32_t)in[((int32_t)(y0 + ky * p->dil_h) * p->in_w + x0 + kx * p->dil_w) * cin + oc / m] *
                 p->weights[(ky * p->k_w + kx) * cout + oc];
        out[oc] = dw16_out(p, oc, s);
      }
    }
  }
}

void tm_depthwise_conv_16x8_eval(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  if (p->k_h * p->k_w > 511) {
    tm_ref_depthwise_conv_16x8(p, in, out);
    return;
  }
  if (p->depth_mult != 1) {
    dw16_multiplier(p, in, out);
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
        out[oc] = dw16_out(p, oc, s0);
        out[oc + 1] = dw16_out(p, oc + 1, s1);
      }
      if (oc < c) {
        int32_t s = 0;
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx)
            s += (int32_t)in[((int32_t)(y0 + ky * p->dil_h) * p->in_w + x0 + kx * p->dil_w) * c + oc] *
                 p->weights[(ky * p->k_w + kx) * c + oc];
        out[oc] = dw16_out(p, oc, s);
      }
    }
  }
}
