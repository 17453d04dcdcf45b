// SPDX-License-Identifier: Apache-2.0
// AVERAGE_POOL_2D and MAX_POOL_2D, int8, NHWC, batch 1; input and output
// share one quantization, so no requantization.
#ifndef FIRMWARE_RUNTIME_KERNELS_POOLING_H_
#define FIRMWARE_RUNTIME_KERNELS_POOLING_H_

#include <stdint.h>

typedef struct {
  int16_t in_h, in_w, channels;
  int16_t out_h, out_w;
  int16_t k_h, k_w;
  int16_t stride_h, stride_w;
  int16_t pad_top, pad_left;
  int32_t act_min, act_max;     // fused activation clamp
} tm_pooling_params_t;

// Mean of the window's valid taps, rounded half away from zero.
void tm_pooling_average(const tm_pooling_params_t *p, const int8_t *in, int8_t *out);

// Maximum of the window's valid taps.
void tm_pooling_max(const tm_pooling_params_t *p, const int8_t *in, int8_t *out);

// Whether out may overwrite in: starting at least *lag bytes below it, a
// multiple of *unit bytes below (pooling_sizes.c, for the AOT generator).
// Returns 0 when never.
int32_t tm_pooling_inplace_lag(int32_t in_h, int32_t in_w, int32_t channels, int32_t out_h, int32_t out_w,
                               int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                               int32_t *unit);

#endif  // FIRMWARE_RUNTIME_KERNELS_POOLING_H_
