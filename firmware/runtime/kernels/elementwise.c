// SPDX-License-Identifier: Apache-2.0
// Portable ADD and MUL: the reference loops.
#include "kernels/elementwise.h"

#include "reference/elementwise.h"

void tm_elementwise_add(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  tm_ref_elementwise(p, in1, in2, out, tm_ref_add_point);
}

void tm_elementwise_mul(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  tm_ref_elementwise(p, in1, in2, out, tm_ref_mul_point);
}
