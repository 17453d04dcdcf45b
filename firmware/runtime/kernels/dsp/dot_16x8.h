// SPDX-License-Identifier: Apache-2.0
// The 16x8 DSP twins' inner product: int16 activations times int8 weights,
// four taps per step, two SMLALD into an exact int64 sum. SXTB16 splits a
// weight word into taps (0, 2) and (1, 3); PKHBT/PKHTB pair the activations
// the same way, so weights keep their plain order.
#ifndef FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

#include "kernels/dsp/dsp_common.h"

// acc + sum_{i < n} x[i] * w[i], n a multiple of 4; x and w at any alignment.
static inline int64_t tm_dsp_dot_16x8(const int16_t *x, const int8_t *w, int n, int64_t acc) {
  for (int i = 0; i < n; i += 4) {
    uint32_t x01, x23;
    memcpy(&x01, x + i, 4);
    memcpy(&x23, x + i + 2, 4);
    const uint32_t wq = tm_dsp_load4(w + i);
    const uint32_t x02 = (x01 & 0xFFFFu) | (x23 << 16);
    const uint32_t x13 = (x23 & 0xFFFF0000u) | (x01 >> 16);
    acc = __smlald((int32_t)x02, tm_dsp_even(wq), acc);
    acc = __smlald((int32_t)x13, tm_dsp_odd(wq), acc);
  }
  return acc;
}

#endif  // FIRMWARE_RUNTIME_KERNELS_DSP_DOT_16X8_H_
