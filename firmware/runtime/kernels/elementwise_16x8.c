// SPDX-License-Identifier: Apache-2.0
// Portable ADD and MUL on int16: the reference loops.
#include "kernels/elementwise_16x8.h"

#include "reference/elementwise_16x8.h"

void tm_elementwise_16x8_add(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  tm_ref_elementwise_16x8(p, in1, in2, out, tm_ref_add_16x8);
}

void tm_elementwise_16x8_mul(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  tm_ref_elementwise_16x8(p, in1, in2, out, tm_ref_mul_16x8);
}
