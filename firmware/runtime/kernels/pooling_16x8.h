// SPDX-License-Identifier: Apache-2.0
// AVERAGE_POOL_2D and MAX_POOL_2D on int16 activations (16x8 models), NHWC,
// batch 1; input and output share one quantization. The window geometry is
// the int8 kernels' (kernels/pooling.h).
#ifndef FIRMWARE_RUNTIME_KERNELS_POOLING_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_POOLING_16X8_H_

#include <stdint.h>

#include "kernels/pooling.h"

// Mean of the window's valid taps, rounded half away from zero.
void tm_pooling_16x8_average(const tm_pooling_params_t *p, const int16_t *in, int16_t *out);

// Maximum of the window's valid taps.
void tm_pooling_16x8_max(const tm_pooling_params_t *p, const int16_t *in, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_POOLING_16X8_H_
