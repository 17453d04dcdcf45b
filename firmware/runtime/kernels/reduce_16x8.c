// SPDX-License-Identifier: Apache-2.0
// Portable MEAN on int16: the reference loops.
#include "kernels/reduce_16x8.h"

#include "reference/reduce_16x8.h"

void tm_reduce_16x8_mean(const tm_reduce_params_t *p, const int16_t *in, int16_t *out) { tm_ref_reduce_16x8_mean(p, in, out); }
