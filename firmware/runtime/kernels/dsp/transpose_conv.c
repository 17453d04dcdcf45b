// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE_CONV, DSP twin: per output pixel the contributing taps are stepped directly (the first tap whose input
// position is whole, then every stride-th one), and two output channels share each loaded input word: four input
// channels per step with SXTB16 + SMLAD, the input zero point subtracted in both int16 lanes.
#include "kernels/transpose_conv.h"

#include "kernels/dsp/dsp_common.h"

// acc0 += sum (x - zp) * w0, acc1 += sum (x - zp) * w1 over n channels.
static inline void tm_dsp_tconv_dot2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t zp,
                                     int32_t zp2, int32_t *acc0, int32_t *acc1) {
  int32_t a0 = *acc0, a1 = *acc1, c = 0;
  for (; c + 4 <= n; c += 4) {
    const uint32_t xv = tm_dsp_load4(x + c), u = tm_dsp_load4(w0 + c), v = tm_dsp_load4(w1 + c);
    const int32_t xe = __ssub16(tm_dsp_even(xv), zp2), xo = __ssub16(tm_dsp_odd(xv), zp2);
    a0 = __smlad(xe, tm_dsp_even(u), a0);
    a0 = __smlad(xo, tm_dsp_odd(u), a0);
    a1 = __smlad(xe, tm_dsp_even(v), a1);
    a1 = __smlad(xo, tm_dsp_odd(v), a1);
  }
  for (; c < n; ++c) {
    const int32_t xv = (int32_t)x[c] - zp;
    a0 += xv * w0[c];
    a1 += xv * w1[c];
  }
  *acc0 = a0;
  *acc1 = a1;
}

static inline int32_t tm_dsp_tconv_dot(const int8_t *x, const int8_t *w, int32_t n, int32_t zp, int32_t zp2) {
  int32_t a = 0, c = 0;
  for (; c + 4 <= n; c += 4) {
    const uint32_t xv = tm_dsp_load4(x + c), u = tm_dsp_load4(w + c);
    a = __smlad(__ssub16(tm_dsp_even(xv), zp2), tm_dsp_even(u), a);
    a = __smlad(__ssub16(tm_dsp_odd(xv), zp2), tm_dsp_odd(u), a);
  }
  for (; c < n; ++c) a += ((int32_t)x[c] - zp) * w[c];
  return a;
}

void tm_transpose_conv_eval(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t ic = p->in_c, oc_n = p->out_c, taps = p->k_h * p->k_w * ic;
  const int32_t zp = p->in_zp, zp2 = (int32_t)(((uint32_t)zp & 0xFFFFu) | ((uint32_t)zp << 16));
  for (int32_t oy = 0; oy < p->out_h; ++oy) {
    const int32_t ty = oy + p->pad_top, ky0 = ty % p->stride_h;  // ty >= 0: pad_top >= 0
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
      const int32_t tx = ox + p->pad_left, kx0 = tx % p->stride_w;
      int32_t oc = 0;
      for (; oc < oc_n; oc += 2) {
        const int32_t pair = oc + 1 < oc_n;
        int32_t acc0 = p->bias[oc], acc1 = pair ? p->bias[oc + 1] : 0;
        for (int32_t ky = ky0; ky < p->k_h; ky += p->stride_h) {
          const int32_t iy = (ty - ky) / p->stride_h;
          if (iy < 0) break;  // larger ky only go further up
          if (iy >= p->in_h) continue;
          for (int32_t kx = kx0; kx < p->k_w; kx += p->stride_w) {
            const int32_t ix = (tx - kx) / p->stride_w;
            if (ix < 0) break;
            if (ix >= p->in_w) continue;
            const int8_t *x = in + (iy * p->in_w + ix) * ic;
            const int8_t *w = p->weights + oc * taps + (ky * p->k_w + kx) * ic;
            if (pair)
              tm_dsp_tconv_dot2(x, w, w + taps, ic, zp, zp2, &acc0, &acc1);
            else
              acc0 += tm_dsp_tconv_dot(x, w, ic, zp, zp2);
          }
        }
        *out++ = tm_dsp_requantize(acc0, p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
        if (pair) *out++ = tm_dsp_requantize(acc1, p->mult[oc + 1], p->shift[oc + 1], p->out_zp, p->act_min, p->act_max);
      }
    }
  }
}
