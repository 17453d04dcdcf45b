// SPDX-License-Identifier: Apache-2.0
// STRIDED_SLICE of int8 tensors up to rank 4: data movement, no arithmetic.
#ifndef FIRMWARE_RUNTIME_KERNELS_STRIDED_SLICE_H_
#define FIRMWARE_RUNTIME_KERNELS_STRIDED_SLICE_H_

#include <stdint.h>

typedef struct {
  int32_t out_dims[4];          // output shape with the shrunk axes kept as 1s, padded with leading 1s
  int32_t in_strides[4];        // per dim: input elements between neighbouring outputs (stride times step)
  int32_t in_offset;            // input element of the first output
} tm_strided_slice_params_t;

// out[a][b][c][d] = in[in_offset + a * s0 + b * s1 + c * s2 + d * s3]; out must not alias in.
void tm_strided_slice_eval(const tm_strided_slice_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_STRIDED_SLICE_H_
