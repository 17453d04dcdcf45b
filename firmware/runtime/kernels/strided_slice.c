// SPDX-License-Identifier: Apache-2.0
// Portable STRIDED_SLICE: the reference loops.
#include "kernels/strided_slice.h"

#include "reference/strided_slice.h"

void tm_strided_slice_eval(const tm_strided_slice_params_t *p, const int8_t *in, int8_t *out) {
  tm_ref_strided_slice(p, in, out);
}
