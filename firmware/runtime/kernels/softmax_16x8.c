// SPDX-License-Identifier: Apache-2.0
// Portable SOFTMAX 16x8: the reference loops.
#include "kernels/softmax_16x8.h"

#include "reference/softmax_16x8.h"

void tm_softmax_16x8_eval(const tm_softmax_16x8_params_t *p, const int16_t *in, int16_t *out) {
  tm_ref_softmax_16x8(p, in, out);
}
