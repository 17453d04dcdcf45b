// SPDX-License-Identifier: Apache-2.0
// Reference SOFTMAX 16x8: the TFLite spec's int16 arithmetic (table lookups
// with interpolation, a Q16.15 sum of exps, its reciprocal from the table).
#ifndef FIRMWARE_RUNTIME_REFERENCE_SOFTMAX_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_SOFTMAX_16X8_H_

#include "kernels/softmax_16x8.h"
#include "reference/fixedpoint.h"

static inline int32_t tm_ref_clamp16(int32_t v) { return v < -32768 ? -32768 : (v > 32767 ? 32767 : v); }

// lut[256 + value / 128] plus the slope times the low 7 bits, rounded.
static inline int16_t tm_ref_lut16(int16_t value, const int16_t *lut) {
  const int index = 256 + (value >> 7);
  const int32_t offset = value & 0x7f;
  const int32_t slope = lut[index + 1] - lut[index];
  return (int16_t)(lut[index] + ((slope * offset + 64) >> 7));
}

static inline void tm_ref_softmax_16x8(const tm_softmax_16x8_params_t *p, const int16_t *in, int16_t *out) {
  for (int r = 0; r < p->rows; ++r, in += p->depth, out += p->depth) {
    int16_t max = -32768;
    for (int c = 0; c < p->depth; ++c) max = in[c] > max ? in[c] : max;
    // Bound: depth exps of at most 2^15 each: depth < 2^16 keeps the sum in int32.
    int32_t sum = 0;
    for (int c = 0; c < p->depth; ++c) {
      const int32_t scaled = tm_fp_requantize(in[c] - max, p->in_mult, p->in_shift);
      out[c] = tm_ref_lut16((int16_t)tm_ref_clamp16(scaled + 32767), p->exp_lut);
      sum += out[c];
    }
    const int headroom = tm_fp_clz((uint32_t)sum);
    const int32_t shifted = (int32_t)((((int64_t)sum << (headroom - 1)) + (1 << 13)) >> 14);
    const int16_t recip = tm_ref_lut16((int16_t)tm_ref_clamp16(shifted - ((1 << 15) + (1 << 16))), p->recip_lut);
    const int right = 31 - headroom;
    for (int c = 0; c < p->depth; ++c) {
      const int32_t v = (int32_t)(((int64_t)out[c] * recip + ((int64_t)1 << (right - 1))) >> right);
      out[c] = (int16_t)(v < 0 ? 0 : (v > 32767 ? 32767 : v));
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_SOFTMAX_16X8_H_
