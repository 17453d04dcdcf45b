// SPDX-License-Identifier: Apache-2.0
// Reference int8 softmax, logistic and tanh in Q-format fixed point:
// softmax sums exp(x - max) in Q12 and multiplies by the reciprocal of the
// sum; logistic and tanh map the input into Q4 and evaluate exp on negative
// values with a Newton-Raphson reciprocal.
#ifndef FIRMWARE_RUNTIME_REFERENCE_ACTIVATION_H_
#define FIRMWARE_RUNTIME_REFERENCE_ACTIVATION_H_

#include "kernels/activation.h"
#include "reference/fixedpoint.h"

static inline int32_t tm_ref_softmax_exp(const tm_softmax_params_t *p, int32_t diff) {
  const int32_t scaled = tm_fp_doubling_high_mul((int32_t)((uint32_t)diff << p->beta_left_shift), p->beta_mult);
  return tm_fp_exp_negative(scaled, 5);
}

static inline void tm_ref_softmax(const tm_softmax_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t r = 0; r < p->rows; ++r, in += p->depth, out += p->depth) {
    int32_t max = -128;
    for (int32_t i = 0; i < p->depth; ++i) max = in[i] > max ? in[i] : max;
    // Bound: each exp <= 1 (2^19 in Q12) and depth < 2^12 terms: below 2^31.
    int32_t sum_q12 = 0;
    for (int32_t i = 0; i < p->depth; ++i) {
      const int32_t diff = in[i] - max;
      if (diff >= p->diff_min) sum_q12 += tm_fp_divide_pot(tm_ref_softmax_exp(p, diff), 12);
    }
    const int headroom = tm_fp_clz((uint32_t)sum_q12);
    const int bits_over_unit = 12 - headroom;
    const int32_t sum_minus_one = (int32_t)(((uint32_t)sum_q12 << headroom) - ((uint32_t)1 << 31));
    const int32_t reciprocal = tm_fp_one_over_one_plus(sum_minus_one);
    for (int32_t i = 0; i < p->depth; ++i) {
      const int32_t diff = in[i] - max;
      int32_t v = -128;
      if (diff >= p->diff_min) {
        const int32_t e = tm_ref_softmax_exp(p, diff);
        v = tm_fp_divide_pot(tm_fp_mul(reciprocal, e), bits_over_unit + 31 - 8) - 128;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
      }
      out[i] = (int8_t)v;
    }
  }
}

static inline int32_t tm_ref_sigmoid_input_q4(const tm_sigmoid_params_t *p, int32_t x) {
  return tm_fp_requantize(x, p->in_mult, p->in_shift);
}

static inline int32_t tm_ref_logistic_q0(int32_t a) {
  if (a == 0) return 1 << 30;
  const int32_t abs_a = a > 0 ? a : -a;
  const int32_t positive = tm_fp_one_over_one_plus(tm_fp_exp_negative(-abs_a, 4));
  return a > 0 ? positive : INT32_MAX - positive;
}

static inline int32_t tm_ref_tanh_q0(int32_t a) {
  if (a == 0) return 0;
  const int32_t neg_abs = a < 0 ? a : -a;
  // exp(2 * neg_abs): the same raw value read as Q5 doubles it.
  const int32_t t = tm_fp_one_minus_over_one_plus(tm_fp_exp_negative(neg_abs, 5));
  return a < 0 ? -t : t;
}

static inline void tm_ref_logistic(const tm_sigmoid_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t x = in[i] - p->in_zp;
    int32_t v;
    if (x <= -p->range_radius) {
      v = -128;
    } else if (x >= p->range_radius) {
      v = 127;
    } else {
      v = tm_fp_divide_pot(tm_ref_logistic_q0(tm_ref_sigmoid_input_q4(p, x)), 23) - 128;
      v = v < -128 ? -128 : (v > 127 ? 127 : v);
    }
    out[i] = (int8_t)v;
  }
}

static inline void tm_ref_tanh(const tm_sigmoid_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const int32_t x = in[i] - p->in_zp;
    int32_t v;
    if (x <= -p->range_radius) {
      v = -128;
    } else if (x >= p->range_radius) {
      v = 127;
    } else {
      v = tm_fp_divide_pot(tm_ref_tanh_q0(tm_ref_sigmoid_input_q4(p, x)), 24);
      v = v < -128 ? -128 : (v > 127 ? 127 : v);
    }
    out[i] = (int8_t)v;
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_ACTIVATION_H_
