// SPDX-License-Identifier: Apache-2.0
// MEAN over any subset of up to 4 dimensions, int16 (16x8 models: zero
// points 0); the parameters are the int8 kernel's (kernels/reduce.h).
#ifndef FIRMWARE_RUNTIME_KERNELS_REDUCE_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_REDUCE_16X8_H_

#include <stdint.h>

#include "kernels/reduce.h"

// out = mean of in over the reduced dimensions, in the order of the kept dimensions.
void tm_reduce_16x8_mean(const tm_reduce_params_t *p, const int16_t *in, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_REDUCE_16X8_H_
