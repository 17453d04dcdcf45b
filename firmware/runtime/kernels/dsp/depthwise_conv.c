// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D for Cortex-M with the DSP extension. With depth
// multiplier 1 and channels in multiples of 4: for each output row the k_h
// input rows it reads are copied into scratch with zero-point padding, so
// the inner loops have no bounds checks; four channels per word (SXTB16
// splits them into lanes, SMLABB/SMLATT accumulate each lane) and two output
// pixels per pass share every weight word. Other shapes use the reference.
#include "kernels/depthwise_conv.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/depthwise_conv.h"

// Copies the input rows of output row oy into scratch, padded to wp pixels.
static void dw_gather_rows(const tm_depthwise_conv_params_t *p, const int8_t *in, int oy, int wp) {
  const int c = p->in_c;
  const int x0 = -p->pad_left;
  const int lead = x0 < 0 ? (-x0 < wp ? -x0 : wp) : 0;       // padded pixels before column 0
  const int avail = p->in_w - (x0 + lead);                     // input pixels from there on
  const int body = avail < wp - lead ? (avail > 0 ? avail : 0) : wp - lead;
  int8_t *dst = p->scratch;
  for (int ky = 0; ky < p->k_h; ++ky, dst += wp * c) {
    const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) {
      memset(dst, (int)p->in_zp, (size_t)(wp * c));
      continue;
    }
    memset(dst, (int)p->in_zp, (size_t)(lead * c));
    memcpy(dst + lead * c, in + ((int32_t)iy * p->in_w + x0 + lead) * c, (size_t)(body * c));
    memset(dst + (lead + body) * c, (int)p->in_zp, (size_t)((wp - lead - body) * c));
  }
}

static inline void dw_store(const tm_depthwise_conv_params_t *p, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                            int c, int8_t *out) {
  const int32_t *m = p->mult + c, *s = p->shift + c;
  out[0] = tm_dsp_requantize(a0, m[0], s[0], p->out_zp, p->act_min, p->act_max);
  out[1] = tm_dsp_requantize(a1, m[1], s[1], p->out_zp, p->act_min, p->act_max);
  out[2] = tm_dsp_requantize(a2, m[2], s[2], p->out_zp, p->act_min, p->act_max);
  out[3] = tm_dsp_requantize(a3, m[3], s[3], p->out_zp, p->act_min, p->act_max);
}

// Four channels (c..c+3) of two output pixels whose windows start at x and
// x + second in the gathered rows; out1 = 0 discards the second pixel.
static void dw_block(const tm_depthwise_conv_params_t *p, const int8_t *x, int wp, int second, int c,
                     int8_t *out0, int8_t *out1) {
  const int cc = p->in_c, step = p->dil_w * cc, row_skip = wp * cc - p->k_w * step;
  // Bound: k_h*k_w taps of |x*w| <= 2^14 plus the bias.
  int32_t a0 = p->bias[c], a1 = p->bias[c + 1], a2 = p->bias[c + 2], a3 = p->bias[c + 3];
  int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3;
  const int8_t *w = p->weights + c;
  for (int ky = 0; ky < p->k_h; ++ky, x += row_skip) {
    for (int kx = 0; kx < p->k_w; ++kx, w += cc, x += step) {
      const uint32_t f = tm_dsp_load4(w);
      const int32_t we = tm_dsp_even(f), wo = tm_dsp_odd(f);
      const uint32_t u = tm_dsp_load4(x), v = tm_dsp_load4(x + second);
      const int32_t ue = tm_dsp_even(u), uo = tm_dsp_odd(u), ve = tm_dsp_even(v), vo = tm_dsp_odd(v);
      a0 = __smlabb(ue, we, a0);
      a2 = __smlatt(ue, we, a2);
      a1 = __smlabb(uo, wo, a1);
      a3 = __smlatt(uo, wo, a3);
      b0 = __smlabb(ve, we, b0);
      b2 = __smlatt(ve, we, b2);
      b1 = __smlabb(vo, wo, b1);
      b3 = __smlatt(vo, wo, b3);
    }
  }
  dw_store(p, a0, a1, a2, a3, c, out0);
  if (out1) dw_store(p, b0, b1, b2, b3, c, out1);
}

void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  if (p->depth_mult != 1 || (p->in_c & 3) || !p->scratch) {
    tm_ref_depthwise_conv(p, in, out);
    return;
  }
  const int wp = (p->out_w - 1) * p->stride_w + (p->k_w - 1) * p->dil_w + 1;
  for (int oy = 0; oy < p->out_h; ++oy) {
    dw_gather_rows(p, in, oy, wp);
    for (int ox = 0; ox < p->out_w; ox += 2) {
      const int pair = ox + 1 < p->out_w;
      const int second = pair ? p->stride_w * p->in_c : 0;
      const int8_t *x = p->scratch + ox * p->stride_w * p->in_c;
      int8_t *o = out + ((int32_t)oy * p->out_w + ox) * p->in_c;
      for (int c = 0; c < p->in_c; c += 4) dw_block(p, x + c, wp, second, c, o + c, pair ? o + p->in_c + c : 0);
    }
  }
}
