// SPDX-License-Identifier: Apache-2.0
// Portable pooling: the reference loops.
#include "kernels/pooling.h"

#include "reference/pooling.h"

void tm_pooling_average(const tm_pooling_params_t *p, const int8_t *in, int8_t *out) { tm_ref_pool(p, in, out, 0); }

void tm_pooling_max(const tm_pooling_params_t *p, const int8_t *in, int8_t *out) { tm_ref_pool(p, in, out, 1); }
