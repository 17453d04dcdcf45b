// SPDX-License-Identifier: Apache-2.0
// Portable SUB. Each input is rescaled on its own and the results subtracted, as TFLM does: negating input 2's
// multiplier instead would round its half-way cases the other way.
#include "kernels/sub.h"

#include "reference/elementwise.h"

static inline int8_t sub_point(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound as ADD's: each rescaled term is below 2^29 in magnitude, their difference below 2^30.
  const int32_t sa = tm_fp_requantize((a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
  const int32_t sb = tm_fp_requantize((b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
  return tm_ref_requantize(sa - sb, p->out_mult, p->out_shift, p->out_zp, p->act_min, p->act_max);
}

void tm_sub_eval(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  tm_ref_elementwise(p, in1, in2, out, sub_point);
}
