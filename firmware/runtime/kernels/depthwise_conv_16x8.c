// SPDX-License-Identifier: Apache-2.0
// Portable DEPTHWISE_CONV_2D 16x8: the reference loops.
#include "kernels/depthwise_conv_16x8.h"

#include "reference/depthwise_conv_16x8.h"

void tm_depthwise_conv_16x8_eval(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  tm_ref_depthwise_conv_16x8(p, in, out);
}
