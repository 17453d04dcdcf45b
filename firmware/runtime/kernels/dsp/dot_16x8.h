// SPDX-License-Identifier: Apache-2.0
// The 16x8 DSP twins' inner products: int16 activations times int8 weights,
// four taps per step into exact int64 sums with SMLALD. SXTB16 splits a
// weight word into taps (0, 2) and (1, 3), so the activations are first
// swizzled the same way, once per patch (x0 x1 x2 x3 -> x0 x2 x1 x3), and
// every filter row then costs one weight load, two SXTB16 and two SMLALD per
// four taps; two rows at a time share the activation loads.
#ifndef FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

#include "kernels/dsp/dsp_common.h"

// dst[4q..4q+3] = src[4q], src[4q+2], src[4q+1], src[4q+3] as two words per
// quad; n a multiple of 4, dst 4-byte aligned, src at any alignment.
static inline void tm_dsp_swizzle_16x8(const int16_t *src, uint32_t *dst, int n) {
  for (int i = 0; i < n; i += 4, dst += 2) {
    uint32_t x01, x23;
    memcpy(&x01, src + i, 4);
    memcpy(&x23, src + i + 2, 4);
    dst[0] = (x01 & 0xFFFFu) | (x23 << 16);
    dst[1] = (x23 & 0xFFFF0000u) | (x01 >> 16);
  }
}

// *a0 += x . w0, *a1 += x . w1 over n taps (a multiple of 4), x swizzled.
static inline void tm_dsp_dot2_16x8(const uint32_t *x, const int8_t *w0, const int8_t *w1, int n, int64_t *a0,
                                    int64_t *a1) {
  int64_t s0 = *a0, s1 = *a1;
  for (int i = 0; i < n; i += 4, x += 2) {
    const uint32_t lo = x[0], hi = x[1];
    const uint32_t q0 = tm_dsp_load4(w0 + i), q1 = tm_dsp_load4(w1 + i);
    s0 = __smlald((int32_t)lo, tm_dsp_even(q0), s0);
    s0 = __smlald((int32_t)hi, tm_dsp_odd(q0), s0);
    s1 = __smlald((int32_t)lo, tm_dsp_even(q1), s1);
    s1 = __smlald((int32_t)hi, tm_dsp_odd(q1), s1);
  }
  *a0 = s0;
  *a1 = s1;
}

// acc + x . w over n taps (a multiple of 4), x swizzled.
static inline int64_t tm_dsp_dot_16x8(const uint32_t *x, const int8_t *w, int n, int64_t acc) {
  for (int i = 0; i < n; i += 4, x += 2) {
    const uint32_t q = tm_dsp_load4(w + i);
    acc = __smlald((int32_t)x[0], tm_dsp_even(q), acc);
    acc = __smlald((int32_t)x[1], tm_dsp_odd(q), acc);
  }
  return acc;
}

#endif  // FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
