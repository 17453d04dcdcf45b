// SPDX-License-Identifier: Apache-2.0
// Portable BATCH_MATMUL: the reference loops.
#include "kernels/batch_matmul.h"

#include "reference/batch_matmul.h"

void tm_batch_matmul_eval(const tm_batch_matmul_params_t *p, const int8_t *lhs, const int8_t *rhs, int8_t *out) {
  tm_ref_batch_matmul(p, lhs, rhs, out);
}
