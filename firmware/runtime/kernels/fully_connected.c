// SPDX-License-Identifier: Apache-2.0
// Portable FULLY_CONNECTED: the reference loops.
#include "kernels/fully_connected.h"

#include "reference/fully_connected.h"

void tm_fully_connected_eval(const tm_fully_connected_params_t *p, const int8_t *in, int8_t *out) {
  tm_ref_fully_connected(p, in, out);
}
