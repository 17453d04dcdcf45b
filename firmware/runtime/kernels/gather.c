// SPDX-License-Identifier: Apache-2.0
// Portable GATHER: the reference copies.
#include "kernels/gather.h"

#include "reference/gather.h"

void tm_gather_eval(const tm_gather_params_t *p, const int8_t *table, const int32_t *idx, int8_t *out) {
  tm_ref_gather(p, table, idx, out);
}
