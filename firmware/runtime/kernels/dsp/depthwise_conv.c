// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D for Cortex-M with the DSP extension: depth multiplier 1
// and channels in multiples of 4 run four channels per word (SXTB16 splits
// them into lanes, SMLABB/SMLATT accumulate each lane separately), two
// output pixels per pass so every weight word is loaded once per pair.
// Other shapes use the reference loops.
#include "kernels/depthwise_conv.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/depthwise_conv.h"

// Input word of channels c..c+3 at tap (iy, ix), or the zero point outside.
static inline uint32_t dw_tap(const tm_depthwise_conv_params_t *p, const int8_t *in, int iy, int ix, int c,
                              uint32_t zp4) {
  if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) return zp4;
  return tm_dsp_load4(in + ((int32_t)iy * p->in_w + ix) * p->in_c + c);
}

// Accumulates one tap for one pixel into the four channel lanes.
static inline void dw_mac(uint32_t x, int32_t we, int32_t wo, int32_t acc[4]) {
  const int32_t xe = tm_dsp_even(x), xo = tm_dsp_odd(x);
  acc[0] = __smlabb(xe, we, acc[0]);
  acc[2] = __smlatt(xe, we, acc[2]);
  acc[1] = __smlabb(xo, wo, acc[1]);
  acc[3] = __smlatt(xo, wo, acc[3]);
}

static void dw_store(const tm_depthwise_conv_params_t *p, const int32_t acc[4], int c, int8_t *out) {
  for (int k = 0; k < 4; ++k) {
    out[c + k] = tm_ref_requantize(acc[k], p->mult[c + k], p->shift[c + k], p->out_zp, p->act_min, p->act_max);
  }
}

void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  if (p->depth_mult != 1 || (p->in_c & 3)) {
    tm_ref_depthwise_conv(p, in, out);
    return;
  }
  const uint32_t zp4 = (uint32_t)(uint8_t)p->in_zp * 0x01010101u;
  const int c_count = p->in_c;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    for (int ox = 0; ox < p->out_w; ox += 2) {
      const int pair = ox + 1 < p->out_w;
      const int x0 = ox * p->stride_w - p->pad_left, x1 = x0 + p->stride_w;
      int8_t *o0 = out + ((int32_t)oy * p->out_w + ox) * c_count;
      for (int c = 0; c < c_count; c += 4) {
        // Bound: k_h*k_w taps of |x*w| <= 2^14 plus the bias.
        int32_t a0[4] = {p->bias[c], p->bias[c + 1], p->bias[c + 2], p->bias[c + 3]};
        int32_t a1[4] = {a0[0], a0[1], a0[2], a0[3]};
        const int8_t *w = p->weights + c;
        for (int ky = 0; ky < p->k_h; ++ky) {
          const int iy = y0 + ky * p->dil_h;
          for (int kx = 0; kx < p->k_w; ++kx, w += c_count) {
            const uint32_t f = tm_dsp_load4(w);
            const int32_t we = tm_dsp_even(f), wo = tm_dsp_odd(f);
            dw_mac(dw_tap(p, in, iy, x0 + kx * p->dil_w, c, zp4), we, wo, a0);
            if (pair) dw_mac(dw_tap(p, in, iy, x1 + kx * p->dil_w, c, zp4), we, wo, a1);
          }
        }
        dw_store(p, a0, c, o0);
        if (pair) dw_store(p, a1, c, o0 + c_count);
      }
    }
  }
}
