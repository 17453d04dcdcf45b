// SPDX-License-Identifier: Apache-2.0
// int32 accumulator -> int8 output: scale, add the zero point, clamp.
#ifndef FIRMWARE_RUNTIME_REFERENCE_REQUANTIZE_H_
#define FIRMWARE_RUNTIME_REFERENCE_REQUANTIZE_H_

#include <stdint.h>

#include "reference/fixedpoint.h"

static inline int8_t tm_ref_requantize(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
  int32_t v = tm_fp_requantize(acc, mult, shift) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_REQUANTIZE_H_
