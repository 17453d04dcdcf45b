// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE_CONV, DSP twin: per output pixel the contributing taps are stepped directly (the first tap whose input
// position is whole, then every stride-th one, the input position moving back by one), and four output channels
// share each loaded input word: four input channels per step with SXTB16 + SMLAD, the input zero point subtracted
// in both int16 lanes.
#include "kernels/transpose_conv.h"

#include "kernels/dsp/dsp_common.h"

// acc[j] += sum (x - zp) * w[j * stride + c] over n channels, j < 4.
static inline void tm_dsp_tconv_dot4(const int8_t *x, const int8_t *w, int32_t stride, int32_t n, int32_t zp,
                                     int32_t zp2, int32_t *acc) {
  const int8_t *w1 = w + stride, *w2 = w1 + stride, *w3 = w2 + stride;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], c = 0;
  for (; c + 4 <= n; c += 4) {
    const uint32_t xv = tm_dsp_load4(x + c);
    const int32_t xe = __ssub16(tm_dsp_even(xv), zp2), xo = __ssub16(tm_dsp_odd(xv), zp2);
    uint32_t v = tm_dsp_load4(w + c);
    a0 = __smlad(xo, tm_dsp_odd(v), __smlad(xe, tm_dsp_even(v), a0));
    v = tm_dsp_load4(w1 + c);
    a1 = __smlad(xo, tm_dsp_odd(v), __smlad(xe, tm_dsp_even(v), a1));
    v = tm_dsp_load4(w2 + c);
    a2 = __smlad(xo, tm_dsp_odd(v), __smlad(xe, tm_dsp_even(v), a2));
    v = tm_dsp_load4(w3 + c);
    a3 = __smlad(xo, tm_dsp_odd(v), __smlad(xe, tm_dsp_even(v), a3));
  }
  for (; c < n; ++c) {
    const int32_t xv = (int32_t)x[c] - zp;
    a0 += xv * w[c];
    a1 += xv * w1[c];
    a2 += xv * w2[c];
    a3 += xv * w3[c];
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
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
  const int32_t sh = p->stride_h, sw = p->stride_w;
  for (int32_t oy = 0; oy < p->out_h; ++oy) {
    const int32_t ty = oy + p->pad_top, ky0 = ty % sh, iy0 = ty / sh;  // ty >= 0: pad_top >= 0
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
      const int32_t tx = ox + p->pad_left, kx0 = tx % sw, ix0 = tx / sw;
      for (int32_t oc = 0; oc < oc_n;) {
        const int32_t block = oc + 4 <= oc_n;
        int32_t acc[4] = {p->bias[oc], block ? p->bias[oc + 1] : 0, block ? p->bias[oc + 2] : 0,
                          block ? p->bias[oc + 3] : 0};
        // tap ky reads input row iy0 - (ky - ky0) / sh: one row up per step, none once above row 0
        for (int32_t ky = ky0, iy = iy0; ky < p->k_h && iy >= 0; ky += sh, --iy) {
          if (iy >= p->in_h) continue;
          for (int32_t kx = kx0, ix = ix0; kx < p->k_w && ix >= 0; kx += sw, --ix) {
            if (ix >= p->in_w) continue;
            const int8_t *x = in + (iy * p->in_w + ix) * ic;
            const int8_t *w = p->weights + oc * taps + (ky * p->k_w + kx) * ic;
            if (block)
              tm_dsp_tconv_dot4(x, w, taps, ic, zp, zp2, acc);
            else
              acc[0] += tm_dsp_tconv_dot(x, w, ic, zp, zp2);
          }
        }
        const int32_t n = block ? 4 : 1;
        for (int32_t j = 0; j < n; ++j)
          *out++ = tm_dsp_requantize(acc[j], p->mult[oc + j], p->shift[oc + j], p->out_zp, p->act_min, p->act_max);
        oc += n;
      }
    }
  }
}
