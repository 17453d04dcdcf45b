// SPDX-License-Identifier: Apache-2.0
// HARD_SWISH, int8: x * relu6(x + 3) / 6 for each of the 256 input codes, tabulated when the model is compiled
// (toolchain/aot/lower_hard_swish.py follows TFLM's fixed-point steps, so the table is TFLM's output).
#ifndef FIRMWARE_RUNTIME_KERNELS_HARD_SWISH_H_
#define FIRMWARE_RUNTIME_KERNELS_HARD_SWISH_H_

#include <stdint.h>

typedef struct {
  int32_t count;
  const int8_t *table;  // output code for input code q at index q + 128
} tm_hard_swish_params_t;

// out may alias in.
void tm_hard_swish_eval(const tm_hard_swish_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_HARD_SWISH_H_
