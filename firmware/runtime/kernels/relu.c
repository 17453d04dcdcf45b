// SPDX-License-Identifier: Apache-2.0
// Portable RELU, RELU6 and LEAKY_RELU: the reference loop.
#include "kernels/relu.h"

#include "reference/relu.h"

void tm_relu_eval(const tm_relu_params_t *p, const int8_t *in, int8_t *out) { tm_ref_relu(p, in, out); }
