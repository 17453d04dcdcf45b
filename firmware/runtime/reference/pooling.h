// SPDX-License-Identifier: Apache-2.0
// Reference pooling: windows clipped to the input (padding is not counted).
#ifndef FIRMWARE_RUNTIME_REFERENCE_POOLING_H_
#define FIRMWARE_RUNTIME_REFERENCE_POOLING_H_

#include "kernels/pooling.h"

static inline int tm_ref_pool_clip(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// One body for both activation widths, int8 and the 16x8 kernels' int16: T is
// the element type, LOWEST its smallest value. Bound: |sum| <= 2^15 * k_h * k_w,
// fine for windows below 2^16 taps.
#define TM_REF_POOL_DEFINE(name, T, LOWEST)                                                                   \
  static inline void name(const tm_pooling_params_t *p, const T *in, T *out, int is_max) {                    \
    for (int oy = 0; oy < p->out_h; ++oy) {                                                                   \
      const int y0 = oy * p->stride_h - p->pad_top;                                                           \
      const int ky0 = tm_ref_pool_clip(-y0, 0, p->k_h), ky1 = tm_ref_pool_clip(p->in_h - y0, 0, p->k_h);      \
      for (int ox = 0; ox < p->out_w; ++ox) {                                                                 \
        const int x0 = ox * p->stride_w - p->pad_left;                                                        \
        const int kx0 = tm_ref_pool_clip(-x0, 0, p->k_w), kx1 = tm_ref_pool_clip(p->in_w - x0, 0, p->k_w);    \
        const int count = (ky1 - ky0) * (kx1 - kx0);                                                          \
        for (int c = 0; c < p->channels; ++c) {                                                               \
          int32_t acc = is_max ? (LOWEST) : 0;                                                                \
          for (int ky = ky0; ky < ky1; ++ky) {                                                                \
            for (int kx = kx0; kx < kx1; ++kx) {                                                              \
              const int32_t v = in[(((int32_t)(y0 + ky)) * p->in_w + x0 + kx) * p->channels + c];             \
              if (is_max) acc = v > acc ? v : acc; else acc += v;                                             \
            }                                                                                                 \
          }                                                                                                   \
          if (!is_max) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;                 \
          *out++ = (T)tm_ref_pool_clip(acc, p->act_min, p->act_max);                                          \
        }                                                                                                     \
      }                                                                                                       \
    }                                                                                                         \
  }

TM_REF_POOL_DEFINE(tm_ref_pool, int8_t, -128)

#endif  // FIRMWARE_RUNTIME_REFERENCE_POOLING_H_
