// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE of int8 tensors up to rank 4: data movement, no arithmetic.
#ifndef FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_H_
#define FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_H_

#include <stdint.h>

typedef struct {
  int32_t out_dims[4];          // output shape, padded with leading 1s
  int32_t in_strides[4];        // per output dim: the input element stride it walks (the permuted input strides)
} tm_transpose_params_t;

// out[o0][o1][o2][o3] = in[o0 * s0 + o1 * s1 + o2 * s2 + o3 * s3]; out must not alias in.
void tm_transpose_eval(const tm_transpose_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_H_
