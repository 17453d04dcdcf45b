// SPDX-License-Identifier: Apache-2.0
// Reference pooling on int16: windows clipped to the input (padding is not counted).
#ifndef FIRMWARE_RUNTIME_REFERENCE_POOLING_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_POOLING_16X8_H_

#include "kernels/pooling_16x8.h"
#include "reference/pooling.h"

static inline void tm_ref_pool_16x8(const tm_pooling_params_t *p, const int16_t *in, int16_t *out, int is_max) {
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    const int ky0 = tm_ref_pool_clip(-y0, 0, p->k_h), ky1 = tm_ref_pool_clip(p->in_h - y0, 0, p->k_h);
    for (int ox = 0; ox < p->out_w; ++ox) {
      const int x0 = ox * p->stride_w - p->pad_left;
      const int kx0 = tm_ref_pool_clip(-x0, 0, p->k_w), kx1 = tm_ref_pool_clip(p->in_w - x0, 0, p->k_w);
      const int count = (ky1 - ky0) * (kx1 - kx0);
      for (int c = 0; c < p->channels; ++c) {
        // Bound: |sum| <= 2^15 * k_h * k_w, fine for windows below 2^16 taps.
        int32_t acc = is_max ? -32768 : 0;
        for (int ky = ky0; ky < ky1; ++ky) {
          for (int kx = kx0; kx < kx1; ++kx) {
            const int32_t v = in[(((int32_t)(y0 + ky)) * p->in_w + x0 + kx) * p->channels + c];
            if (is_max) acc = v > acc ? v : acc; else acc += v;
          }
        }
        if (!is_max) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        *out++ = (int16_t)tm_ref_pool_clip(acc, p->act_min, p->act_max);
      }
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_POOLING_16X8_H_
