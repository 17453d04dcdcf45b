// SPDX-License-Identifier: Apache-2.0
// Portable MEAN: the reference loops.
#include "kernels/reduce.h"

#include "reference/reduce.h"

void tm_reduce_mean(const tm_reduce_params_t *p, const int8_t *in, int8_t *out) { tm_ref_reduce_mean(p, in, out); }
