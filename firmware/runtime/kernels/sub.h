// SPDX-License-Identifier: Apache-2.0
// SUB, int8: ADD's parameters (elementwise.h), the rescaled second input subtracted.
#ifndef FIRMWARE_RUNTIME_KERNELS_SUB_H_
#define FIRMWARE_RUNTIME_KERNELS_SUB_H_

#include <stdint.h>

#include "kernels/elementwise.h"

// out = in1 - in2 in real values; out may alias in1 or in2 exactly (ADD's walk: tm_elementwise_inplace_lag).
void tm_sub_eval(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_SUB_H_
