// SPDX-License-Identifier: Apache-2.0
// Portable PRELU: the reference loop.
#include "kernels/prelu.h"

#include "reference/prelu.h"

void tm_prelu_eval(const tm_prelu_params_t *p, const int8_t *in, const int8_t *alpha, int8_t *out) {
  tm_ref_prelu(p, in, alpha, out);
}
