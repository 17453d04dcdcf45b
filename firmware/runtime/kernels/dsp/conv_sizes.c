// SPDX-License-Identifier: Apache-2.0
// Sizes of the DSP CONV_2D (dsp/conv.c), kept apart from its assembly so
// the host can build and ask them.
#include "kernels/conv.h"
#include "kernels/inplace.h"

// Pixels per tile: six with rq and filter rows up to TM_CONV_TILE_MAX_KP
// taps, else two.
static int32_t conv_tile_pixels(int32_t kp, int32_t has_rq) { return has_rq && kp <= TM_CONV_TILE_MAX_KP ? 6 : 2; }

// A tile's patches widened to int16 (2 * kp bytes per pixel, kp = the
// filter row rounded up to 4 taps), then, when in_c is not whole words, one
// int8 patch to gather into: kp bytes, or more where conv_gather's word
// copies of all rows but the last run past the patch (rows under 4 bytes).
size_t tm_conv_scratch_bytes(int32_t k_h, int32_t k_w, int32_t in_c, int32_t has_rq) {
  const int32_t kp = (k_h * k_w * in_c + 3) / 4 * 4, row = k_w * in_c;
  int32_t patch = 0;
  if (in_c % 4) {
    const int32_t words = k_h > 1 ? (k_h - 2) * row + (row + 3) / 4 * 4 : 0;
    patch = words > kp ? words : kp;
  }
  return (size_t)(2 * conv_tile_pixels(kp, has_rq) * kp + patch);
}

// A whole tile's windows are read into scratch before its outputs are
// written, so writes stay one pixel ahead; the last tile may read the
// pixel before it again after writing it: the same bound.
int32_t tm_conv_inplace_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w, int32_t out_c,
                            int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                            int32_t *unit) {
  *lag = tm_inplace_stream_lag(in_h, in_w, in_c, out_h, out_w, out_c, stride_h, stride_w, pad_top, pad_left, 1);
  *unit = 1;
  return 1;
}

// The widest tile.
int32_t tm_conv_pixels_per_step(void) { return 6; }
