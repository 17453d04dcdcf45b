// SPDX-License-Identifier: Apache-2.0
// RESIZE_NEAREST_NEIGHBOR of int8 NHWC tensors: data movement, no arithmetic.
#ifndef FIRMWARE_RUNTIME_KERNELS_RESIZE_NEAREST_H_
#define FIRMWARE_RUNTIME_KERNELS_RESIZE_NEAREST_H_

#include <stdint.h>

typedef struct {
  int32_t batches, in_h, in_w, channels, out_h, out_w;
  const int32_t *rows;          // per output row: the input row it copies (chosen at generation time as TFLM does)
  const int32_t *cols;          // per output column: the input column
} tm_resize_nearest_params_t;

// out[n][y][x] = in[n][rows[y]][cols[x]] (whole pixels of `channels` bytes); out must not alias in.
void tm_resize_nearest_eval(const tm_resize_nearest_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_RESIZE_NEAREST_H_
