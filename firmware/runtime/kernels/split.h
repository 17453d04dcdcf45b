// SPDX-License-Identifier: Apache-2.0
// SPLIT and SPLIT_V of int8 tensors: data movement, no arithmetic.
#ifndef FIRMWARE_RUNTIME_KERNELS_SPLIT_H_
#define FIRMWARE_RUNTIME_KERNELS_SPLIT_H_

#include <stdint.h>

typedef struct {
  int32_t outer;                // product of the dims before the axis
  int32_t count;                // number of outputs
  const int32_t *chunk_bytes;   // per output: bytes from the axis on, per outer step
} tm_split_params_t;

// out[i] = the i-th piece of in along the axis (all share one quantization); no output may alias in.
void tm_split_eval(const tm_split_params_t *p, const int8_t *in, void *const *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_SPLIT_H_
