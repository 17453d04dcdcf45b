// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the DSP twins: unaligned word loads and int8x4 -> two
// int16x2 halves with SXTB16 (bytes 0,2 and bytes 1,3). Pairing both operands
// the same way keeps the products matched, so no weight reordering is needed.
#ifndef FIRMWARE_RUNTIME_KERNELS_DSP_DSP_COMMON_H_
#define FIRMWARE_RUNTIME_KERNELS_DSP_DSP_COMMON_H_

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

// Four int8 at any alignment (compiles to one LDR on Cortex-M4).
static inline uint32_t tm_dsp_load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline void tm_dsp_store4(int8_t *p, uint32_t v) { memcpy(p, &v, 4); }

// Bytes 0 and 2, sign-extended to two int16 lanes.
static inline int32_t tm_dsp_even(uint32_t v) { return (int32_t)__sxtb16(v); }

// Bytes 1 and 3, sign-extended to two int16 lanes (one SXTB16 with ROR #8;
// GCC does not fold the rotate into the intrinsic by itself).
static inline int32_t tm_dsp_odd(uint32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

// tm_fp_doubling_high_mul for |x| <= 2^30 and a multiplier in (0, 2^31):
// SMMULR(2x, m) = floor((2xm + 2^31) / 2^32), see below.
static inline int32_t tm_dsp_high_mul(int32_t x, int32_t mult) {
  int32_t h;
  __asm__("smmulr %0, %1, %2" : "=r"(h) : "r"((int32_t)((uint32_t)x << 1)), "r"(mult));
  return h;
}

// SMMULR(y, mult) = floor((y * mult + 2^31) / 2^32): tm_dsp_high_mul(y / 2,
// mult) for an even y the caller has already doubled.
static inline int32_t tm_dsp_high_mul_raw(int32_t y, int32_t mult) {
  int32_t h;
  __asm__("smmulr %0, %1, %2" : "=r"(h) : "r"(y), "r"(mult));
  return h;
}

// tm_fp_requantize for multipliers in (0, 2^31), where the doubling high
// multiply never saturates and round(x * m / 2^31), ties away from zero, is
// floor((x * m + 2^30) / 2^31) for either sign (for x < 0 the product is at
// most -2^30, so the spec's truncating division equals this floor).
static inline int32_t tm_dsp_scale_any(int32_t x, int32_t mult, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int64_t ab = (int64_t)(int32_t)((uint32_t)x << left) * mult;
  const int32_t h = (int32_t)((ab + (1 << 30)) >> 31);
  const int32_t mask = (int32_t)((1u << right) - 1u);
  const int32_t threshold = (mask >> 1) + (h < 0);
  return (h >> right) + ((h & mask) > threshold);
}

// The same, fast path for the usual case |x| <= 2^30 and a right shift:
// SMMULR(2x, m) = floor((2xm + 2^31) / 2^32) is the high multiply, and
// |h| < 2^30 lets the rounding shift add its half without overflow.
static inline int32_t tm_dsp_scale(int32_t x, int32_t mult, int32_t shift) {
  if (__builtin_expect(shift < 0 && x >= -(1 << 30) && x < (1 << 30), 1)) {
    const int32_t h = tm_dsp_high_mul(x, mult);
    const int right = -shift;
    return (h + (int32_t)((1u << right) >> 1) - (int32_t)((uint32_t)h >> 31)) >> right;
  }
  return tm_dsp_scale_any(x, mult, shift);
}

// Accumulator -> int8 output with zero point and activation clamp.
static inline int8_t tm_dsp_requantize(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v = tm_dsp_scale(acc, mult, shift) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

// True when every channel may use tm_dsp_requantize_fast: right shifts
// only, and |acc| <= max|bias| + taps * 2^14 stays below 2^30 (each tap adds
// at most |x * w| <= 2^14 to the folded bias).
static inline int tm_dsp_fast_ok(const int32_t *bias, const int32_t *shift, int n, int32_t taps) {
  int32_t max_bias = 0;
  for (int i = 0; i < n; ++i) {
    if (shift[i] >= 0 || bias[i] == INT32_MIN) return 0;
    const int32_t b = bias[i] < 0 ? -bias[i] : bias[i];
    max_bias = b > max_bias ? b : max_bias;
  }
  return taps < (1 << 15) && (int64_t)max_bias + (int64_t)taps * (1 << 14) < (1 << 30);
}

// tm_dsp_requantize when tm_dsp_fast_ok holds: no range or sign checks.
static inline int8_t tm_dsp_requantize_fast(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo,
                                            int32_t hi) {
  const int32_t h = tm_dsp_high_mul(acc, mult);
  const int right = -shift;
  int32_t v = ((h + (int32_t)(1u << (right - 1)) - (int32_t)((uint32_t)h >> 31)) >> right) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

// tm_dsp_requantize_fast without a fused activation: the clamp is SSAT.
static inline int8_t tm_dsp_requantize_fast_sat(int32_t acc, int32_t mult, int32_t shift, int32_t zp) {
  const int32_t h = tm_dsp_high_mul(acc, mult);
  const int right = -shift;
  return (int8_t)__ssat(((h + (int32_t)(1u << (right - 1)) - (int32_t)((uint32_t)h >> 31)) >> right) + zp, 8);
}

// tm_dsp_requantize_fast with the zero point folded into the rounding
// constant c = 2^(r-1) + zp * 2^r (r = -shift in [1, 22]): |h| < 2^30 and
// |c| <= 2^29 + 2^21, so h + c stays in int32. clamp = 0 when the
// activation range is the whole int8 range (SSAT alone clamps).
static inline int8_t tm_dsp_requantize_round(int32_t acc, int32_t m, int32_t c, int r, int clamp, int32_t lo,
                                             int32_t hi) {
  const int32_t h = tm_dsp_high_mul(acc, m);
  int32_t v = __ssat((h + c - (int32_t)((uint32_t)h >> 31)) >> r, 8);
  if (clamp) {
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
  }
  return (int8_t)v;
}

// Requantization variants a kernel picks once per call (a constant after inlining).
enum { TM_DSP_RQ_CHECKED, TM_DSP_RQ_FAST, TM_DSP_RQ_FAST_SAT };

static inline __attribute__((always_inline)) int8_t tm_dsp_requantize_mode(int mode, int32_t acc, int32_t m,
                                                                           int32_t sh, int32_t zp, int32_t lo,
                                                                           int32_t hi) {
  if (mode == TM_DSP_RQ_FAST_SAT) return tm_dsp_requantize_fast_sat(acc, m, sh, zp);
  if (mode == TM_DSP_RQ_FAST) return tm_dsp_requantize_fast(acc, m, sh, zp, lo, hi);
  return tm_dsp_requantize(acc, m, sh, zp, lo, hi);
}

#endif  // FIRMWARE_RUNTIME_KERNELS_DSP_DSP_COMMON_H_
