// SPDX-License-Identifier: Apache-2.0
// Sizes of the DSP DEPTHWISE_CONV_2D (dsp/depthwise_conv.c), kept apart
// from its assembly so the host can build and ask them.
#include "kernels/depthwise_conv.h"
#include "kernels/inplace.h"

// Undilated 3x3 windows take the paired-row-block path.
static int dw_blocks(int32_t k_h, int32_t k_w, int32_t dil_h, int32_t dil_w) {
  return k_h == 3 && k_w == 3 && dil_h == 1 && dil_w == 1;
}

// k_h zero-point padded input rows of wp pixels, expanded to the output
// channels rounded up to 4 (depth_mult > 1 or in_c % 4 != 0); 3x3 windows
// with out_c % 4 != 0 add one such output row; undilated 3x3 windows need
// at least their row blocks, 32 bytes per column (plus a 4-lane output row
// for a partial last channel quad).
size_t tm_depthwise_conv_scratch_bytes(int32_t in_c, int32_t out_w, int32_t out_c, int32_t k_h, int32_t k_w,
                                       int32_t stride_w, int32_t dil_h, int32_t dil_w) {
  (void)in_c;
  const int32_t wp = (out_w - 1) * stride_w + (k_w - 1) * dil_w + 1;
  const int32_t quads = (out_c + 3) / 4 * 4;
  int32_t bytes = k_h * wp * quads;
  if (out_c % 4 && k_h == 3 && k_w == 3) bytes += out_w * quads;
  if (dw_blocks(k_h, k_w, dil_h, dil_w)) {
    const int32_t blocks = 32 * wp + (out_c % 4 ? 4 * out_w : 0);
    if (blocks > bytes) bytes = blocks;
  }
  return (size_t)bytes;
}

static int32_t dw_gcd(int32_t a, int32_t b) { return b ? dw_gcd(b, a % b) : a; }

// Two output pixels per step. The row-block path runs one channel quad at
// a time over the whole layer: in place only with the output whole pixels
// (and words) below the input, never with a depth multiplier (each output
// pixel is wider than the input's).
int32_t tm_depthwise_conv_inplace_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w,
                                      int32_t out_c, int32_t k_h, int32_t k_w, int32_t stride_h, int32_t stride_w,
                                      int32_t dil_h, int32_t dil_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                                      int32_t *unit) {
  *lag = tm_inplace_stream_lag(in_h, in_w, in_c, out_h, out_w, out_c, stride_h, stride_w, pad_top, pad_left, 2);
  *unit = 1;
  if (!dw_blocks(k_h, k_w, dil_h, dil_w)) return 1;
  if (out_c != in_c) return 0;
  *unit = in_c / dw_gcd(in_c, 4) * 4;
  *lag = (*lag / *unit + (*lag % *unit > 0)) * *unit;  // rounded up, for either sign
  return 1;
}
