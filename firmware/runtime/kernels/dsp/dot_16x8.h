// SPDX-License-Identifier: Apache-2.0
// The 16x8 DSP twins' inner products: int16 activations times weights widened
// to int16 at generation time (kernels/weights_16x8.h), two taps per
// multiply-accumulate. When the generator proved the int32 sum exact
// (acc32), SMLAD over two pixels times two filter rows (four sums, each
// activation and weight word loaded once per four products); else SMLALD
// into int64 sums, two rows at a time. The requantization is the spec's
// 64-bit one on the int32 or int64 sum.
#ifndef FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

// A word of two int16 at any 2-byte alignment (one LDR on Cortex-M4).
static inline int32_t tm_dsp_pair16(const int16_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

// *lo, *hi = the two words at *p (word aligned), and *p += 1: one
// post-indexed LDRD (GCC splits an int64 load into two LDR when its halves
// are used apart). The "m" operand tells the compiler which bytes it reads.
static inline void tm_dsp_ldrd(const int64_t **p, int32_t *lo, int32_t *hi) {
  __asm__("ldrd %0, %1, [%2], #8" : "=r"(*lo), "=r"(*hi), "+r"(*p) : "m"(**p));
}

// s[0..3] += (x . w, x . w x' . w, x' . w') over n taps (a multiple of 4),
// int32 sums, where x' = x + n and w' = w + n (two patches, two filter rows).
// x and w are word aligned (the scratch, and the generated arrays' rows of
// n int16), so each pointer's two words per step are one LDRD.
static inline void tm_dsp_dot22_16x8(const int16_t *x, const int16_t *w, int n, int32_t *s) {
  int32_t s00 = s[0], s01 = s[1], s10 = s[2], s11 = s[3];
  const int64_t *a = (const int64_t *)(const void *)x, *u = (const int64_t *)(const void *)w;
  const int64_t *b = a + n / 4, *v = u + n / 4, *end = b;
  while (a < end) {  // four taps per step: four LDRD for sixteen products
    int32_t a0, a1, u0, u1, b0, b1, v0, v1;
    tm_dsp_ldrd(&a, &a0, &a1), tm_dsp_ldrd(&u, &u0, &u1);
    s00 = __smlad(a1, u1, __smlad(a0, u0, s00));
    tm_dsp_ldrd(&b, &b0, &b1);
    s10 = __smlad(b1, u1, __smlad(b0, u0, s10));
    tm_dsp_ldrd(&v, &v0, &v1);
    s01 = __smlad(a1, v1, __smlad(a0, v0, s01));
    s11 = __smlad(b1, v1, __smlad(b0, v0, s11));
  }
  s[0] = s00, s[1] = s01, s[2] = s10, s[3] = s11;
}

// s[0..1] += (x . w, x . w') over n taps (a multiple of 4), int32 sums,
// where w' = w + n; x and w word aligned (one LDRD per pointer per step).
static inline void tm_dsp_dot12_16x8(const int16_t *x, const int16_t *w, int n, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1];
  const int64_t *a = (const int64_t *)(const void *)x, *u = (const int64_t *)(const void *)w;
  const int64_t *v = u + n / 4, *end = a + n / 4;
  while (a < end) {  // four taps per step: three LDRD for eight products
    int32_t a0, a1, u0, u1, v0, v1;
    tm_dsp_ldrd(&a, &a0, &a1), tm_dsp_ldrd(&u, &u0, &u1), tm_dsp_ldrd(&v, &v0, &v1);
    s0 = __smlad(a1, u1, __smlad(a0, u0, s0));
    s1 = __smlad(a1, v1, __smlad(a0, v0, s1));
  }
  s[0] = s0, s[1] = s1;
}

// acc + x . w over n taps (a multiple of 2), int32 sum.
static inline int32_t tm_dsp_dot32_16x8(const int16_t *x, const int16_t *w, int n, int32_t acc) {
  for (int i = 0; i < n; i += 2) acc = __smlad(tm_dsp_pair16(x + i), tm_dsp_pair16(w + i), acc);
  return acc;
}

// acc + x . w over n taps (a multiple of 2), int64 sum.
static inline int64_t tm_dsp_dot64_16x8(const int16_t *x, const int16_t *w, int n, int64_t acc) {
  for (int i = 0; i < n; i += 2) acc = __smlald(tm_dsp_pair16(x + i), tm_dsp_pair16(w + i), acc);
  return acc;
}

// reference/requantize_16x8.h for an int32 sum, from the generator's folded
// row q = {multiplier, shift, rounding constant low, high}: one SMLAL onto
// the rounding constant, then the high word shifted right by q[1]. Where the
// spec's total shift t (16 to 46) is at most 32, the generator scaled the Q15
// multiplier and the rounding constant 2^(t-1) by 2^(32-t), so the high word
// is the result and q[1] = 0 (same floor: both sides of the division scaled).
static inline int16_t tm_dsp_requantize_rq16(int32_t acc, const int32_t *q, int32_t lo, int32_t hi) {
  uint32_t rl = (uint32_t)q[2];
  int32_t rh = q[3];
  __asm__("smlal %0, %1, %2, %3" : "+r"(rl), "+r"(rh) : "r"(acc), "r"(q[0]));
  int32_t v = rh >> q[1];
  v = v < lo ? lo : v;
  return (int16_t)(v > hi ? hi : v);
}

#endif  // FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
