// SPDX-License-Identifier: Apache-2.0
// RESIZE_NEAREST_NEIGHBOR, int8 (any element of one byte): each output pixel a copy of one input pixel.
#ifndef FIRMWARE_RUNTIME_KERNELS_RESIZE_NEAREST_H_
#define FIRMWARE_RUNTIME_KERNELS_RESIZE_NEAREST_H_

#include <stdint.h>

typedef struct {
  int32_t in_h, in_w, out_h, out_w, depth;  // NHWC, batch 1
  const int32_t *rows;                      // out_h source rows, chosen at compile time as TFLM chooses them
  const int32_t *cols;                      // out_w source columns
} tm_resize_nearest_params_t;

// out must not overlap in.
void tm_resize_nearest_eval(const tm_resize_nearest_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_RESIZE_NEAREST_H_
