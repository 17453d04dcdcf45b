// SPDX-License-Identifier: Apache-2.0
// Reference DEPTHWISE_CONV_2D 16x8: taps outside the input are skipped (zero point 0).
#ifndef FIRMWARE_RUNTIME_REFERENCE_DEPTHWISE_CONV_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_DEPTHWISE_CONV_16X8_H_

#include "kernels/depthwise_conv_16x8.h"
#include "reference/requantize_16x8.h"

static inline void tm_ref_depthwise_conv_16x8(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in,
                                              int16_t *out) {
  for (int oy = 0; oy < p->out_h; ++oy) {
    for (int ox = 0; ox < p->out_w; ++ox) {
      const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
      for (int oc = 0; oc < p->out_c; ++oc) {
        const int ic = oc / p->depth_mult;
        // Bound: |x*w| <= 2^22 per tap, k_h * k_w < 2^15 taps.
        int64_t acc = p->bias[oc];
        for (int ky = 0; ky < p->k_h; ++ky) {
          const int y = y0 + ky * p->dil_h;
          for (int kx = 0; kx < p->k_w; ++kx) {
            const int x = x0 + kx * p->dil_w;
            if (y < 0 || y >= p->in_h || x < 0 || x >= p->in_w) continue;
            acc += (int32_t)in[((int32_t)y * p->in_w + x) * p->in_c + ic] * p->weights[(ky * p->k_w + kx) * p->out_c + oc];
          }
        }
        *out++ = tm_ref_requantize_16x8(acc, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
      }
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_DEPTHWISE_CONV_16X8_H_
