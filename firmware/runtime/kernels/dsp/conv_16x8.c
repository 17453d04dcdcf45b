// SPDX-License-Identifier: Apache-2.0
// CONV_2D 16x8 for cores with the DSP extension: output pixels two at a time,
// their patches gathered into the scratch (zeros for taps outside the input
// and for the padding up to kp); with int32 sums proven exact (acc32) two
// filter rows times two pixels per SMLAD pass, else SMLALD per pixel and row
// (kernels/dsp/dot_16x8.h).
#include "kernels/conv_16x8.h"

#include "kernels/dsp/dot_16x8.h"
#include "reference/requantize_16x8.h"

static void conv16_gather(const tm_conv_16x8_params_t *p, const int16_t *in, int pixel, int16_t *dst) {
  const int y0 = pixel / p->out_w * p->stride_h - p->pad_top, x0 = pixel % p->out_w * p->stride_w - p->pad_left;
  const int cc = p->in_c, row = p->k_w * cc;
  for (int ky = 0; ky < p->k_h; ++ky, dst += row) {
    const int y = y0 + ky * p->dil_h;
    if (y < 0 || y >= p->in_h) {
      for (int i = 0; i < row; ++i) dst[i] = 0;
      continue;
    }
    const int16_t *src = in + ((int32_t)y * p->in_w + x0) * cc;
    if (p->dil_w == 1 && x0 >= 0 && x0 + p->k_w <= p->in_w) {  // the whole window row is inside: one run
      for (int i = 0; i < row; ++i) dst[i] = src[i];
      continue;
    }
    for (int kx = 0; kx < p->k_w; ++kx) {
      const int x = x0 + kx * p->dil_w;
      const int inside = x >= 0 && x < p->in_w;
      const int16_t *s = src + (int32_t)kx * p->dil_w * cc;
      for (int c = 0; c < cc; ++c) dst[kx * cc + c] = inside ? s[c] : 0;
    }
  }
}

static inline int16_t conv16_out32(const tm_conv_16x8_params_t *p, int32_t acc, int oc) {
  return tm_dsp_requantize_rq16(acc, p->rq + 4 * oc, p->act_min, p->act_max);
}

// Output pixels q and q + 1 from the patches at x and x + kp.
static void conv16_pair(const tm_conv_16x8_params_t *p, const int16_t *x, int16_t *o) {
  const int16_t *w = p->weights16;
  int16_t *o1 = o + p->out_c;
  int oc = 0;
  for (; oc + 1 < p->out_c; oc += 2, w += 2 * p->kp) {
    const int32_t b0 = (int32_t)p->bias[oc], b1 = (int32_t)p->bias[oc + 1];
    int32_t s[4] = {b0, b1, b0, b1};
    tm_dsp_dot22_16x8(x, w, p->kp, s);
    o[oc] = conv16_out32(p, s[0], oc), o[oc + 1] = conv16_out32(p, s[1], oc + 1);
    o1[oc] = conv16_out32(p, s[2], oc), o1[oc + 1] = conv16_out32(p, s[3], oc + 1);
  }
  if (oc < p->out_c) {
    o[oc] = conv16_out32(p, tm_dsp_dot32_16x8(x, w, p->kp, (int32_t)p->bias[oc]), oc);
    o1[oc] = conv16_out32(p, tm_dsp_dot32_16x8(x + p->kp, w, p->kp, (int32_t)p->bias[oc]), oc);
  }
}

// One output pixel from the patch at x.
static void conv16_one(const tm_conv_16x8_params_t *p, const int16_t *x, int16_t *o) {
  const int16_t *w = p->weights16;
  for (int oc = 0; oc < p->out_c; ++oc, w += p->kp) {
    if (p->acc32) {
      o[oc] = conv16_out32(p, tm_dsp_dot32_16x8(x, w, p->kp, (int32_t)p->bias[oc]), oc);
    } else {
      const int64_t a = tm_dsp_dot64_16x8(x, w, p->kp, p->bias[oc]);
      o[oc] = tm_ref_requantize_16x8(a, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
    }
  }
}

void tm_conv_16x8_eval(const tm_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int patch = p->k_h * p->k_w * p->in_c, pixels = p->out_h * p->out_w;
  int16_t *x = p->scratch;
  for (int i = patch; i < p->kp; ++i) x[i] = x[p->kp + i] = 0;
  int q = 0;
  if (p->acc32) {
    for (; q + 1 < pixels; q += 2, out += 2 * p->out_c) {
      conv16_gather(p, in, q, x);
      conv16_gather(p, in, q + 1, x + p->kp);
      conv16_pair(p, x, out);
    }
  }
  for (; q < pixels; ++q, out += p->out_c) {
    conv16_gather(p, in, q, x);
    conv16_one(p, x, out);
  }
}
