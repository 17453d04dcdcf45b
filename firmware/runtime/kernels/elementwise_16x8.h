// SPDX-License-Identifier: Apache-2.0
// ADD and MUL on int16 (16x8 models: zero points 0), with the int8 kernels'
// parameters and broadcasting (kernels/elementwise.h); ADD's headroom is 15
// bits, and there are no lookup tables.
#ifndef FIRMWARE_RUNTIME_KERNELS_ELEMENTWISE_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_ELEMENTWISE_16X8_H_

#include <stdint.h>

#include "kernels/elementwise.h"

// out = in1 + in2 in real values; out may alias in1 or in2 exactly.
void tm_elementwise_16x8_add(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out);

// out = in1 * in2 in real values; out may alias in1 or in2 exactly.
void tm_elementwise_16x8_mul(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_ELEMENTWISE_16X8_H_
