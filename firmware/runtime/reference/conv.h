// SPDX-License-Identifier: Apache-2.0
// Reference CONV_2D int8: one output element at a time, in row order.
// Padded taps read the input zero point, so with the folded bias
// (bias - zp * sum w) the sum equals the spec's sum over valid taps of
// (x - zp) * w.
#ifndef FIRMWARE_RUNTIME_REFERENCE_CONV_H_
#define FIRMWARE_RUNTIME_REFERENCE_CONV_H_

#include "kernels/conv.h"
#include "reference/fixedpoint.h"
#include "reference/requantize.h"
#include "reference/weight_layout.h"

// One output element (oy, ox, oc).
static inline int8_t tm_ref_conv_point(const tm_conv_params_t *p, const int8_t *in, int oy, int ox, int oc) {
  const int32_t k_padded = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  int32_t k = 0;
  // Bound: |x*w| <= 128*128 = 2^14 per tap; below 2^31 for k_h*k_w*in_c < 2^16
  // taps plus a 2^30 bias, which every TFLite int8 conv satisfies.
  int32_t acc = p->bias[oc];
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    for (int kx = 0; kx < p->k_w; ++kx) {
      const int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
      const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
      const int8_t *x = in + ((int32_t)iy * p->in_w + ix) * p->in_c;
      for (int ic = 0; ic < p->in_c; ++ic, ++k) {
        acc += (inside ? x[ic] : p->in_zp) * tm_ref_pair_weight(p->weights, oc, k, k_padded);
      }
    }
  }
  return tm_ref_requantize(acc, p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
}

static inline void tm_ref_conv(const tm_conv_params_t *p, const int8_t *in, int8_t *out) {
  for (int oy = 0; oy < p->out_h; ++oy) {
    for (int ox = 0; ox < p->out_w; ++ox) {
      for (int oc = 0; oc < p->out_c; ++oc) *out++ = tm_ref_conv_point(p, in, oy, ox, oc);
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_CONV_H_
