// SPDX-License-Identifier: Apache-2.0
// Reference DEPTHWISE_CONV_2D int8; output channel oc reads input channel
// oc / depth_mult. Padded taps read the zero point (see reference/conv.h).
#ifndef FIRMWARE_RUNTIME_REFERENCE_DEPTHWISE_CONV_H_
#define FIRMWARE_RUNTIME_REFERENCE_DEPTHWISE_CONV_H_

#include "kernels/depthwise_conv.h"
#include "reference/requantize.h"

static inline void tm_ref_depthwise_conv(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  for (int oy = 0; oy < p->out_h; ++oy) {
    for (int ox = 0; ox < p->out_w; ++ox) {
      for (int oc = 0; oc < p->out_c; ++oc) {
        const int ic = oc / p->depth_mult;
        // Bound: k_h*k_w taps of |x*w| <= 2^14 plus the bias: far below 2^31.
        int32_t acc = p->bias[oc];
        for (int ky = 0; ky < p->k_h; ++ky) {
          const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          for (int kx = 0; kx < p->k_w; ++kx) {
            const int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            const int32_t x = inside ? in[((int32_t)iy * p->in_w + ix) * p->in_c + ic] : p->in_zp;
            acc += x * p->weights[((oc >> 2) * p->k_h * p->k_w + ky * p->k_w + kx) * 4 + (oc & 3)];
          }
        }
        *out++ = tm_ref_requantize(acc, p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
      }
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_DEPTHWISE_CONV_H_
