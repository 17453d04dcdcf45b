// SPDX-License-Identifier: Apache-2.0
// In-place layers: how far below its input a layer's output may start. The
// kernels' *_sizes.c answer with this for their own write order; the AOT
// planner places buffers by their answers (toolchain/aot/kernel_sizes.py).
#ifndef FIRMWARE_RUNTIME_KERNELS_INPLACE_H_
#define FIRMWARE_RUNTIME_KERNELS_INPLACE_H_

#include <stdint.h>

// Bytes the output must start below the input for a kernel that writes its
// output pixels in order, `ahead` pixels per step, while each pixel still
// reads the input from its window's first tap (row oy*stride-pad, column
// ox*stride-pad, clipped to the image) on: everything written up to pixel
// p + ahead - 1 must stay below the first tap of pixel p.
static inline int32_t tm_inplace_stream_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w,
                                            int32_t out_c, int32_t stride_h, int32_t stride_w, int32_t pad_top,
                                            int32_t pad_left, int32_t ahead) {
  int64_t lag = INT64_MIN;
  for (int32_t oy = 0; oy < out_h; ++oy) {
    int64_t row = (int64_t)oy * stride_h - pad_top;
    row = row < 0 ? 0 : row > in_h - 1 ? (in_h > 0 ? in_h - 1 : 0) : row;
    for (int32_t ox = 0; ox < out_w; ++ox) {
      int64_t col = (int64_t)ox * stride_w - pad_left;
      col = col < 0 ? 0 : col > in_w - 1 ? (in_w > 0 ? in_w - 1 : 0) : col;
      const int64_t first_tap = (row * in_w + col) * in_c;
      const int64_t written = ((int64_t)oy * out_w + ox + ahead) * out_c;
      if (written - first_tap > lag) lag = written - first_tap;
    }
  }
  return lag == INT64_MIN ? 0 : (int32_t)lag;
}

#endif  // FIRMWARE_RUNTIME_KERNELS_INPLACE_H_
