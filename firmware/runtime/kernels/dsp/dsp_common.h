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

#endif  // FIRMWARE_RUNTIME_KERNELS_DSP_DSP_COMMON_H_
