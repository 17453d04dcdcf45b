// SPDX-License-Identifier: Apache-2.0
// Sizes of the portable CONV_2D (conv.c); the DSP twin has its own
// (dsp/conv_sizes.c). Plain C, so the host can build and ask them.
#include "kernels/conv.h"
#include "kernels/inplace.h"

// One pixel's gathered patch.
size_t tm_conv_scratch_bytes(int32_t k_h, int32_t k_w, int32_t in_c, int32_t has_rq) {
  (void)has_rq;
  return (size_t)k_h * (size_t)k_w * (size_t)in_c;
}

// A pixel's window is read (gathered, or for 1x1 filters read in place)
// while that pixel's outputs are written: writes stay one pixel ahead.
int32_t tm_conv_inplace_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w, int32_t out_c,
                            int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                            int32_t *unit) {
  *lag = tm_inplace_stream_lag(in_h, in_w, in_c, out_h, out_w, out_c, stride_h, stride_w, pad_top, pad_left, 1);
  *unit = 1;
  return 1;
}

// One pixel at a time.
int32_t tm_conv_pixels_per_step(void) { return 1; }
