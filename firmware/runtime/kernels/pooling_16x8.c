// SPDX-License-Identifier: Apache-2.0
// Portable pooling on int16: the reference loops.
#include "kernels/pooling_16x8.h"

#include "reference/pooling_16x8.h"

void tm_pooling_16x8_average(const tm_pooling_params_t *p, const int16_t *in, int16_t *out) {
  tm_ref_pool_16x8(p, in, out, 0);
}

void tm_pooling_16x8_max(const tm_pooling_params_t *p, const int16_t *in, int16_t *out) {
  tm_ref_pool_16x8(p, in, out, 1);
}
