// SPDX-License-Identifier: Apache-2.0
// Portable TRANSPOSE: the reference loops.
#include "kernels/transpose.h"

#include "reference/transpose.h"

void tm_transpose_eval(const tm_transpose_params_t *p, const int8_t *in, int8_t *out) { tm_ref_transpose(p, in, out); }
