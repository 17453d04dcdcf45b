// SPDX-License-Identifier: Apache-2.0
// The "channel pairs" weight layout of CONV_2D and FULLY_CONNECTED, chosen at
// generation time so the DSP kernels read one 8-byte word pair per step:
// each filter row (k_h*k_w*in_c values for conv, in_depth for FC) is zero
// padded to k_padded (a multiple of 4); output channels 2j and 2j+1
// alternate in groups of 4 values; an odd last channel pairs with zeros.
//   byte(oc = 2j + l, k) = j * 2 * k_padded + (k / 4) * 8 + l * 4 + k % 4
#ifndef FIRMWARE_RUNTIME_REFERENCE_WEIGHT_LAYOUT_H_
#define FIRMWARE_RUNTIME_REFERENCE_WEIGHT_LAYOUT_H_

#include <stdint.h>

// Filter rows rounded up to whole words.
static inline int32_t tm_ref_padded_row(int32_t k) { return (k + 3) & ~3; }

// Weight of output channel oc at filter position k.
static inline int8_t tm_ref_pair_weight(const int8_t *w, int32_t oc, int32_t k, int32_t k_padded) {
  return w[(oc >> 1) * 2 * k_padded + (k >> 2) * 8 + (oc & 1) * 4 + (k & 3)];
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_WEIGHT_LAYOUT_H_
