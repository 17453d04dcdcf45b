// SPDX-License-Identifier: Apache-2.0
// 16x8: int64 accumulator -> int16 output (zero point 0), the TFLite spec's
// 64-bit MultiplyByQuantizedMultiplier: the Q31 multiplier rounded to Q15,
// one rounding shift by 15 - shift.
#ifndef FIRMWARE_RUNTIME_REFERENCE_REQUANTIZE_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_REQUANTIZE_16X8_H_

#include <stdint.h>

// acc in [-2^47, 2^47), mult in [0, 2^31), shift in [-31, 7].
static inline int32_t tm_ref_scale_s64(int64_t acc, int32_t mult, int32_t shift) {
  const int32_t reduced = mult < 0x7FFF0000 ? (mult + (1 << 15)) >> 16 : 0x7FFF;
  const int total = 15 - shift;
  return (int32_t)((acc * reduced + ((int64_t)1 << (total - 1))) >> total);
}

static inline int16_t tm_ref_requantize_16x8(int64_t acc, int32_t mult, int32_t shift, int32_t lo, int32_t hi) {
  int32_t v = tm_ref_scale_s64(acc, mult, shift);
  v = v < lo ? lo : v;
  return (int16_t)(v > hi ? hi : v);
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_REQUANTIZE_16X8_H_
