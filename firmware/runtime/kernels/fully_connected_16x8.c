// SPDX-License-Identifier: Apache-2.0
// Portable FULLY_CONNECTED 16x8: the reference loops.
#include "kernels/fully_connected_16x8.h"

#include "reference/fully_connected_16x8.h"

void tm_fully_connected_16x8_eval(const tm_fully_connected_16x8_params_t *p, const int16_t *in, int16_t *out) {
  tm_ref_fully_connected_16x8(p, in, out);
}
