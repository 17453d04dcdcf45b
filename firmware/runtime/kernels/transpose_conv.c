// SPDX-License-Identifier: Apache-2.0
// Portable TRANSPOSE_CONV: the reference loops.
#include "kernels/transpose_conv.h"

#include "reference/transpose_conv.h"

void tm_transpose_conv_eval(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out) {
  tm_ref_transpose_conv(p, in, out);
}
