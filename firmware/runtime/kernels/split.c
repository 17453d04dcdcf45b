// SPDX-License-Identifier: Apache-2.0
// Portable SPLIT / SPLIT_V: the reference copies.
#include "kernels/split.h"

#include "reference/split.h"

void tm_split_eval(const tm_split_params_t *p, const int8_t *in, void *const *out) { tm_ref_split(p, in, out); }
