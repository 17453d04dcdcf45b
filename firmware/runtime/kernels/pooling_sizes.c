// SPDX-License-Identifier: Apache-2.0
// In-place lag of pooling (pooling.c and its DSP twin alike).
#include "kernels/inplace.h"
#include "kernels/pooling.h"

// Both twins write one pixel after reading its window; the planner keeps a
// second pixel of margin, as it always has (a tighter lag would move plans).
int32_t tm_pooling_inplace_lag(int32_t in_h, int32_t in_w, int32_t channels, int32_t out_h, int32_t out_w,
                               int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                               int32_t *unit) {
  *lag = tm_inplace_stream_lag(in_h, in_w, channels, out_h, out_w, channels, stride_h, stride_w, pad_top, pad_left, 2);
  *unit = 1;
  return 1;
}
