// SPDX-License-Identifier: Apache-2.0
// Sizes of the portable CONV_2D 16x8 (conv_16x8.c); the DSP twin has its own
// (dsp/conv_16x8_sizes.c). Plain C, so the host can build and ask them.
#include "kernels/conv_16x8.h"

// The reference loops read the input in place: no scratch.
size_t tm_conv_16x8_scratch_bytes(int32_t k_h, int32_t k_w, int32_t in_c) {
  (void)k_h, (void)k_w, (void)in_c;
  return 0;
}
