// SPDX-License-Identifier: Apache-2.0
// TANH 16x8: int16 input and output, zero points 0, output scale 1/32768.
// tanh(x) = 2 sigmoid(2x) - 1: the input is rescaled to 1/(3 * 4096) units
// (generator's multiplier and shift), then read from the LOGISTIC kernel's
// table (toolchain/aot/lut_16x8.py sigmoid_q16) at twice the rate, with 8-bit
// linear interpolation, mirrored for x < 0, as TFLM's reference does.
#ifndef FIRMWARE_RUNTIME_KERNELS_TANH_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_TANH_16X8_H_

#include "kernels/logistic_16x8.h"

// The same fields as LOGISTIC: input rescale and the shared sigmoid table.
typedef tm_logistic_16x8_params_t tm_tanh_16x8_params_t;

// out may equal in.
void tm_tanh_16x8_eval(const tm_tanh_16x8_params_t *p, const int16_t *in, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_TANH_16X8_H_
