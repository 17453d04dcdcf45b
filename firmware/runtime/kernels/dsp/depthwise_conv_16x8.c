// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D 16x8 for cores with the DSP extension. Per output pixel
// the taps inside the input are found once (no bounds test per tap) and
// walked by pointer steps. Depth multiplier 1: channels go four at a time,
// two words of two int16 activations against one word of four weights split
// by SXTB16 (SMLABB/SMLATB/SMLABT/SMLATT), then a pair. Depth multiplier
// m > 1: output channels sharing an input channel take its one activation;
// when m is a multiple of 4, one word of four int8 weights is split by
// SXTB16 into two pairs, four SMLABB/SMLABT per tap; multiplier 2 does the
// same for two input channels read as one word; otherwise channels go in
// pairs, the two activations packed in one word. Each channel's taps are
// summed in int32 (|x * w| <= 2^22, so up to 511 taps are exact); where the
// generator proved bias + sum exact in int32 (acc32), the requantization is
// one SMLAL on its folded row (kernels/dsp/dot_16x8.h), else the sum is
// added to the int64 bias before the spec's 64-bit one. Larger windows run
// the reference loops.
#include "kernels/depthwise_conv_16x8.h"

#include <arm_acle.h>
#include <string.h>

#include "kernels/dsp/dot_16x8.h"
#include "kernels/dsp/dsp_common.h"
#include "reference/depthwise_conv_16x8.h"

// First k in [0, n) with 0 <= start + k * step, and one past the last with start + k * step < hi.
static void dw16_range(int start, int step, int n, int hi, int *k0, int *k1) {
  int a = 0, b = n;
  while (a < n && start + a * step < 0) ++a;
  while (b > a && start + (b - 1) * step >= hi) --b;
  *k0 = a, *k1 = b;
}

static inline int16_t dw16_out(const tm_depthwise_conv_16x8_params_t *p, int oc, int32_t sum) {
  if (p->acc32) return tm_dsp_requantize_rq16((int32_t)p->bias[oc] + sum, p->rq + 4 * oc, p->act_min, p->act_max);
  return tm_ref_requantize_16x8(p->bias[oc] + sum, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
}

// Depth multiplier > 1: output channel oc reads input channel oc / m.
static void dw16_multiplier(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int m = p->depth_mult, cin = p->in_c, cout = p->out_c, xs = p->dil_w * cin;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    int ky0, ky1;
    dw16_range(y0, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
    for (int ox = 0; ox < p->out_w; ++ox, out += cout) {
      const int x0 = ox * p->stride_w - p->pad_left;
      int kx0, kx1;
      dw16_range(x0, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
      const int16_t *px = in + ((int32_t)(y0 + ky0 * p->dil_h) * p->in_w + x0 + kx0 * p->dil_w) * cin;  // tap (ky0, kx0)
      const int8_t *pw = p->weights + (ky0 * p->k_w + kx0) * cout;
      const int32_t ystep = (int32_t)p->dil_h * p->in_w * cin, wstep = p->k_w * cout;
      int oc = 0;
      if (m % 4 == 0) {
        for (; oc < cout; oc += 4) {
          int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (int ky = ky0; ky < ky1; ++ky) {
            const int16_t *x = px + (ky - ky0) * ystep + oc / m;
            const int8_t *w = pw + (ky - ky0) * wstep + oc;
            for (int n = kx1 - kx0; n > 0; --n, x += xs, w += cout) {
              const int32_t xv = *x;
              const uint32_t wv = tm_dsp_load4(w);  // weights oc .. oc + 3
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
      if (m == 2) {
        for (; oc + 3 < cout; oc += 4) {
          int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (int ky = ky0; ky < ky1; ++ky) {
            const int16_t *x = px + (ky - ky0) * ystep + oc / 2;
            const int8_t *w = pw + (ky - ky0) * wstep + oc;
            for (int n = kx1 - kx0; n > 0; --n, x += xs, w += cout) {
              const int32_t xv = tm_dsp_pair16(x);  // input channels oc / 2 and oc / 2 + 1
              const uint32_t wv = tm_dsp_load4(w);  // weights oc .. oc + 3
              const int32_t even = tm_dsp_even(wv), odd = tm_dsp_odd(wv);  // (w0, w2), (w1, w3)
              s0 = __smlabb(xv, even, s0);
              s1 = __smlabb(xv, odd, s1);
              s2 = __smlatt(xv, even, s2);
              s3 = __smlatt(xv, odd, s3);
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
          const int16_t *x = px + (ky - ky0) * ystep;
          const int8_t *w = pw + (ky - ky0) * wstep + oc;
          for (int n = kx1 - kx0; n > 0; --n, x += xs, w += cout) {
            const int32_t xv = (int32_t)(uint16_t)x[ic0] | (int32_t)((uint32_t)(uint16_t)x[ic1] << 16);
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
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *x = px + (ky - ky0) * ystep + oc / m;
          const int8_t *w = pw + (ky - ky0) * wstep + oc;
          for (int n = kx1 - kx0; n > 0; --n, x += xs, w += cout) s += (int32_t)*x * *w;
        }
        out[oc] = dw16_out(p, oc, s);
      }
    }
  }
}

// The window walk of one output pixel: rows x cols taps, steps in elements.
typedef struct {
  int rows, cols;
  int32_t x_col, x_row;  // activation pointer step per tap, and from a row's end to the next row's start
  int32_t w_col, w_row;  // the same for the weights
} dw16_walk_t;

// s[0..3] = the window sums of four adjacent channels (multiplier 1): per tap, two words of activations and
// one of weights split by SXTB16. Not inlined, so its loop has the core's registers to itself.
static __attribute__((noinline)) void dw16_sum4(const int16_t *x, const int8_t *w, const dw16_walk_t *k,
                                                int32_t *s) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const int32_t xc = k->x_col, wc = k->w_col;
  for (int r = k->rows; r > 0; --r, x += k->x_row, w += k->w_row) {
    for (int n = k->cols; n > 0; --n, x += xc, w += wc) {
      const int32_t x01 = tm_dsp_pair16(x), x23 = tm_dsp_pair16(x + 2);
      const uint32_t wv = tm_dsp_load4(w);
      const int32_t even = tm_dsp_even(wv), odd = tm_dsp_odd(wv);  // (w0, w2), (w1, w3)
      s0 = __smlabb(x01, even, s0);
      s1 = __smlatb(x01, odd, s1);
      s2 = __smlabt(x23, even, s2);
      s3 = __smlatt(x23, odd, s3);
    }
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

// Depth multiplier 1: four channels per step (two words of activations, one word of weights split by
// SXTB16), then a pair, then one.
static void dw16_channels(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int c = p->in_c, xs = p->dil_w * c;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    int ky0, ky1;
    dw16_range(y0, p->dil_h, p->k_h, p->in_h, &ky0, &ky1);
    for (int ox = 0; ox < p->out_w; ++ox, out += c) {
      const int x0 = ox * p->stride_w - p->pad_left;
      int kx0, kx1;
      dw16_range(x0, p->dil_w, p->k_w, p->in_w, &kx0, &kx1);
      const int16_t *px = in + ((int32_t)(y0 + ky0 * p->dil_h) * p->in_w + x0 + kx0 * p->dil_w) * c;  // tap (ky0, kx0)
      const int8_t *pw = p->weights + (ky0 * p->k_w + kx0) * c;
      const int32_t ystep = (int32_t)p->dil_h * p->in_w * c, wstep = p->k_w * c;
      int oc = 0;
      const int cols = kx1 - kx0;
      const dw16_walk_t walk = {ky1 - ky0, cols, xs, ystep - cols * xs, c, wstep - cols * c};
      for (; oc + 3 < c; oc += 4) {
        int32_t sums[4];
        dw16_sum4(px + oc, pw + oc, &walk, sums);
        for (int j = 0; j < 4; ++j) out[oc + j] = dw16_out(p, oc + j, sums[j]);
      }
      for (; oc + 1 < c; oc += 2) {
        int32_t s0 = 0, s1 = 0;
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *x = px + (ky - ky0) * ystep + oc;
          const int8_t *w = pw + (ky - ky0) * wstep + oc;
          for (int n = kx1 - kx0; n > 0; --n, x += xs, w += c) {
            const int32_t xv = tm_dsp_pair16(x);
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
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *x = px + (ky - ky0) * ystep + oc;
          const int8_t *w = pw + (ky - ky0) * wstep + oc;
          for (int n = kx1 - kx0; n > 0; --n, x += xs, w += c) s += (int32_t)*x * *w;
        }
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
  dw16_channels(p, in, out);
}
