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

// s[0..3] += (x0 . w0, x0 . w1, x1 . w0, x1 . w1) over n taps (a multiple of 4), int32 sums.
static inline void tm_dsp_dot22_16x8(const int16_t *x0, const int16_t *x1, const int16_t *w0, const int16_t *w1,
                                     int n, int32_t *s) {
  int32_t s00 = s[0], s01 = s[1], s10 = s[2], s11 = s[3];
  const int16_t *end = x0 + n;
  const int32_t dx = (int32_t)(x1 - x0), dw = (int32_t)(w1 - w0);
  for (; x0 < end; x0 += 4, w0 += 4) {  // four taps per step: eight loads for sixteen products
    int32_t a = tm_dsp_pair16(x0), b = tm_dsp_pair16(x0 + dx);
    int32_t u = tm_dsp_pair16(w0), v = tm_dsp_pair16(w0 + dw);
    s00 = __smlad(a, u, s00);
    s01 = __smlad(a, v, s01);
    s10 = __smlad(b, u, s10);
    s11 = __smlad(b, v, s11);
    a = tm_dsp_pair16(x0 + 2), b = tm_dsp_pair16(x0 + dx + 2);
    u = tm_dsp_pair16(w0 + 2), v = tm_dsp_pair16(w0 + dw + 2);
    s00 = __smlad(a, u, s00);
    s01 = __smlad(a, v, s01);
    s10 = __smlad(b, u, s10);
    s11 = __smlad(b, v, s11);
  }
  s[0] = s00, s[1] = s01, s[2] = s10, s[3] = s11;
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
// row q = {Q15 multiplier, total shift, rounding constant low, high}: one
// SMLAL onto the rounding constant, then the shift by total (16 to 46).
static inline int16_t tm_dsp_requantize_rq16(int32_t acc, const int32_t *q, int32_t lo, int32_t hi) {
  uint32_t rl = (uint32_t)q[2];
  int32_t rh = q[3];
  __asm__("smlal %0, %1, %2, %3" : "+r"(rl), "+r"(rh) : "r"(acc), "r"(q[0]));
  const int t = q[1];
  int32_t v = t >= 32 ? rh >> (t - 32) : (int32_t)((rl >> t) | ((uint32_t)rh << (32 - t)));
  v = v < lo ? lo : v;
  return (int16_t)(v > hi ? hi : v);
}

#endif  // FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
