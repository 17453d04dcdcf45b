// SPDX-License-Identifier: Apache-2.0
// Weight layouts chosen at generation time so the DSP kernels read whole
// words. "Channel pairs" (CONV_2D), one 8-byte word pair per step:
// each filter row (k_h*k_w*in_c values) is zero
// padded to k_padded (a multiple of 4); output channels 2j and 2j+1
// alternate in groups of 4 values; an odd last channel pairs with zeros.
//   byte(oc = 2j + l, k) = j * 2 * k_padded + (k / 4) * 8 + l * 4 + k % 4
#ifndef FIRMWARE_RUNTIME_REFERENCE_WEIGHT_LAYOUT_H_
#define FIRMWARE_RUNTIME_REFERENCE_WEIGHT_LAYOUT_H_

#include <stdint.h>

// The "row quads" layout of FULLY_CONNECTED: rows 4j .. 4j+3 (zero rows
// past out_depth) alternate in groups of 4 values, so one 16-byte LDM feeds
// four output neurons with the same four inputs:
//   byte(o = 4j + l, k) = j * 4 * k_padded + (k / 4) * 16 + l * 4 + k % 4

// Filter rows rounded up to whole words.
static inline int32_t tm_ref_padded_row(int32_t k) { return (k + 3) & ~3; }

// Weight of output channel oc at filter position k.
static inline int8_t tm_ref_pair_weight(const int8_t *w, int32_t oc, int32_t k, int32_t k_padded) {
  return w[(oc >> 1) * 2 * k_padded + (k >> 2) * 8 + (oc & 1) * 4 + (k & 3)];
}

// Weight of output row o at input k in the row-quad layout.
static inline int8_t tm_ref_quad_weight(const int8_t *w, int32_t o, int32_t k, int32_t k_padded) {
  return w[(o >> 2) * 4 * k_padded + (k >> 2) * 16 + (o & 3) * 4 + (k & 3)];
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_WEIGHT_LAYOUT_H_
