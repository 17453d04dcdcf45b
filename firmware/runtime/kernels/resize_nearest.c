// SPDX-License-Identifier: Apache-2.0
// Portable RESIZE_NEAREST_NEIGHBOR: the reference copies.
#include "kernels/resize_nearest.h"

#include "reference/resize_nearest.h"

void tm_resize_nearest_eval(const tm_resize_nearest_params_t *p, const int8_t *in, int8_t *out) {
  tm_ref_resize_nearest(p, in, out);
}
