// SPDX-License-Identifier: Apache-2.0
// Fixed-point primitives of the TFLite int8 quantization spec: Q31
// multipliers with a power-of-two shift, round-half-away doubling high
// multiply, round-half-away-from-zero right shift, and the Q-format exp and
// reciprocal used by softmax/logistic/tanh. A raw int32 in "Qk" has k
// integer bits and 31-k fraction bits. Header-only; every function is pure.
#ifndef FIRMWARE_RUNTIME_REFERENCE_FIXEDPOINT_H_
#define FIRMWARE_RUNTIME_REFERENCE_FIXEDPOINT_H_

#include <stdint.h>

// round(a * b / 2^31), ties away from zero; saturates the one overflow case.
static inline int32_t tm_fp_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));  // C division truncates
}

// round(x / 2^exponent), ties away from zero; 0 <= exponent <= 31.
static inline int32_t tm_fp_divide_pot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^exponent with saturation (exponent > 0) or rounding (exponent <= 0).
static inline int32_t tm_fp_mul_pot(int32_t x, int exponent) {
  if (exponent <= 0) return tm_fp_divide_pot(x, -exponent);
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

// x * multiplier * 2^shift: the requantization of every int8 kernel
// (multiplier in [2^30, 2^31), shift in [-31, 30]).
static inline int32_t tm_fp_requantize(int32_t x, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return tm_fp_divide_pot(tm_fp_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

// Q0 product of two Q0 values (also Qa*Qb -> Q(a+b) on raw values).
static inline int32_t tm_fp_mul(int32_t a, int32_t b) { return tm_fp_doubling_high_mul(a, b); }

// (a + b) / 2 rounded half away from zero, without overflow.
static inline int32_t tm_fp_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// exp(a) for a in [-1/4, 0), a and result in Q0: a 4th-order Taylor series
// around -1/8 with the spec's constants.
static inline int32_t tm_fp_exp_quarter(int32_t a) {
  const int32_t exp_minus_eighth = 1895147668;  // exp(-1/8) in Q0
  const int32_t one_third = 715827883;          // 1/3 in Q0
  const int32_t x = a + (1 << 28);              // a + 1/8
  const int32_t x2 = tm_fp_mul(x, x);
  const int32_t x3 = tm_fp_mul(x2, x);
  const int32_t x4 = tm_fp_mul(x2, x2);
  const int32_t x4_over_4 = tm_fp_mul_pot(x4, -2);
  const int32_t poly = tm_fp_mul_pot(tm_fp_mul(x4_over_4 + x3, one_third) + x2, -1);
  return exp_minus_eighth + tm_fp_mul(exp_minus_eighth, x + poly);
}

// exp(a) for a <= 0 given in Q(int_bits) (int_bits <= 5), result in Q0:
// exp of the remainder modulo 1/4, times exp(-2^k) for each set bit k.
static inline int32_t tm_fp_exp_negative(int32_t a, int int_bits) {
  static const int32_t exp_minus_pot[7] = {  // exp(-2^k) in Q0, k = -2..4
      1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int frac_bits = 31 - int_bits;
  const int32_t quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t mod_minus_quarter = (a & (quarter - 1)) - quarter;
  int32_t result = tm_fp_exp_quarter(tm_fp_mul_pot(mod_minus_quarter, int_bits));
  const int32_t remainder = mod_minus_quarter - a;
  for (int k = -2; k <= 4 && k < int_bits; ++k) {
    if (remainder & ((int32_t)1 << (frac_bits + k))) result = tm_fp_mul(result, exp_minus_pot[k + 2]);
  }
  return a == 0 ? INT32_MAX : result;
}

// Newton-Raphson iterate for 1/(1+a) / 2 given half_den = (1+a)/2, in Q2.
static inline int32_t tm_fp_newton_half_reciprocal(int32_t half_den) {
  const int32_t one_q2 = 1 << 29;
  int32_t x = 1515870810 + tm_fp_mul(half_den, -1010580540);  // 48/17 - 32/17 * d
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus_dx = one_q2 - tm_fp_mul(half_den, x);
    x = x + tm_fp_mul_pot(tm_fp_mul(x, one_minus_dx), 2);
  }
  return x;
}

// 1 / (1 + a) for a in [0, 1), Q0 in and out.
static inline int32_t tm_fp_one_over_one_plus(int32_t a) {
  return tm_fp_mul_pot(tm_fp_newton_half_reciprocal(tm_fp_half_sum(a, INT32_MAX)), 1);
}

// (1 - a) / (1 + a) for a in [0, 1), Q0 in and out.
static inline int32_t tm_fp_one_minus_over_one_plus(int32_t a) {
  return tm_fp_mul_pot(tm_fp_newton_half_reciprocal(tm_fp_half_sum(a, INT32_MAX)) - (1 << 29), 2);
}

// Number of leading zero bits of x (32 for 0).
static inline int tm_fp_clz(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) { x <<= 1; ++n; }
  return n;
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_FIXEDPOINT_H_
