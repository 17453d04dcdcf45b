// SPDX-License-Identifier: Apache-2.0
// Sizes of the portable DEPTHWISE_CONV_2D (depthwise_conv.c); the DSP twin
// has its own (dsp/depthwise_conv_sizes.c).
#include "kernels/depthwise_conv.h"
#include "kernels/inplace.h"

// With depth multiplier 1 and whole-word channels, the k_h padded input
// rows of one output row (wp pixels each); other shapes need none.
size_t tm_depthwise_conv_scratch_bytes(int32_t in_c, int32_t out_w, int32_t out_c, int32_t k_h, int32_t k_w,
                                       int32_t stride_w, int32_t dil_h, int32_t dil_w) {
  (void)dil_h;
  if (out_c != in_c || in_c % 4) return 0;
  const int32_t wp = (out_w - 1) * stride_w + (k_w - 1) * dil_w + 1;
  return (size_t)k_h * (size_t)wp * (size_t)in_c;
}

// Each output pixel is written after its window is read: one pixel ahead.
int32_t tm_depthwise_conv_inplace_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w,
                                      int32_t out_c, int32_t k_h, int32_t k_w, int32_t stride_h, int32_t stride_w,
                                      int32_t dil_h, int32_t dil_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                                      int32_t *unit) {
  (void)k_h, (void)k_w, (void)dil_h, (void)dil_w;
  *lag = tm_inplace_stream_lag(in_h, in_w, in_c, out_h, out_w, out_c, stride_h, stride_w, pad_top, pad_left, 1);
  *unit = 1;
  return 1;
}
