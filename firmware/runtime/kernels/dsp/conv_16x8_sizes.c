// SPDX-License-Identifier: Apache-2.0
// Sizes of the DSP CONV_2D 16x8 (dsp/conv_16x8.c), apart from its intrinsics
// so the host can build and ask them.
#include "kernels/conv_16x8.h"

// Two pixels' int16 patches, each the filter row rounded up to 4 taps.
size_t tm_conv_16x8_scratch_bytes(int32_t k_h, int32_t k_w, int32_t in_c) {
  const size_t kp = ((size_t)k_h * (size_t)k_w * (size_t)in_c + 3) / 4 * 4;
  return 2 * kp * sizeof(int16_t);
}
