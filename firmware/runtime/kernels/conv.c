// SPDX-License-Identifier: Apache-2.0
// Portable CONV_2D: the reference loops.
#include "kernels/conv.h"

#include "reference/conv.h"

void tm_conv_eval(const tm_conv_params_t *p, const int8_t *in, int8_t *out) { tm_ref_conv(p, in, out); }
