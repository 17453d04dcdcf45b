// SPDX-License-Identifier: Apache-2.0
// SOFTMAX 16x8: int16 input (zero point 0), int16 output of scale 1/32768,
// zero point 0, over the last dimension. exp and 1/(1+x) come from two
// 513-entry tables made at generation time (toolchain/aot/lut_16x8.py),
// read with 7-bit linear interpolation.
#ifndef FIRMWARE_RUNTIME_KERNELS_SOFTMAX_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_SOFTMAX_16X8_H_

#include <stdint.h>

typedef struct {
  int16_t rows, depth;          // rows of `depth` values, each normalized on its own
  int32_t in_mult, in_shift;    // input_scale * beta / (10 / 65535) as a Q31 multiplier and shift
  const int16_t *exp_lut;       // exp(x) over [-10, 0], Q0.15
  const int16_t *recip_lut;     // 1 / (1 + x) over [0, 1], Q0.15
} tm_softmax_16x8_params_t;

// out may equal in (the exps are cached in out, row by row, after the row's maximum is read).
void tm_softmax_16x8_eval(const tm_softmax_16x8_params_t *p, const int16_t *in, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_SOFTMAX_16X8_H_
