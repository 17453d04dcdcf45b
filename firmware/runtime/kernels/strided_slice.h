// SPDX-License-Identifier: Apache-2.0
// STRIDED_SLICE, int8 (any one-byte element): a copy of a 4-D window with a step per axis.
#ifndef FIRMWARE_RUNTIME_KERNELS_STRIDED_SLICE_H_
#define FIRMWARE_RUNTIME_KERNELS_STRIDED_SLICE_H_

#include <stdint.h>

typedef struct {
  int32_t count[4];  // elements taken per axis (leading axes padded with 1)
  int32_t step[4];   // input elements between two taken along each axis (negative: backwards)
  int32_t start;     // input element of the first output
} tm_strided_slice_params_t;

// out must not overlap in.
void tm_strided_slice_eval(const tm_strided_slice_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_STRIDED_SLICE_H_
