// SPDX-License-Identifier: Apache-2.0
// Portable DEPTHWISE_CONV_2D: the reference loops.
#include "kernels/depthwise_conv.h"

#include "reference/depthwise_conv.h"

void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  tm_ref_depthwise_conv(p, in, out);
}
