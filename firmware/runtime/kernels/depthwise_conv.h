// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D, int8, per-channel weights, depth multiplier, NHWC, batch 1.
#ifndef FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_H_
#define FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_H_

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int16_t in_h, in_w, in_c;      // input shape
  int16_t out_h, out_w, out_c;   // output shape; out_c = in_c * depth_mult
  int16_t depth_mult;            // output channels per input channel
  int16_t k_h, k_w;
  int16_t stride_h, stride_w;
  int16_t dil_h, dil_w;
  int16_t pad_top, pad_left;
  int32_t in_zp, out_zp;
  int32_t act_min, act_max;
  const int8_t *weights;         // [out_c/4][k_h][k_w][4]: channel quads, out_c zero-padded to a multiple of 4
  const int32_t *bias;           // bias[c] - in_zp * sum(weights[..][c]) (folded)
  const int32_t *mult;           // per output channel
  const int32_t *shift;
  int8_t *scratch;               // tm_depthwise_conv_scratch_bytes(...) bytes, 4-byte aligned
} tm_depthwise_conv_params_t;

// out = depthwise_conv(in); output rows written in order (see conv.h).
void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out);

// Sizes, defined by each twin (depthwise_conv_sizes.c) and asked by the AOT
// generator through the host build of both (toolchain/aot/kernel_sizes.py).

// Scratch bytes a layer of this geometry needs.
size_t tm_depthwise_conv_scratch_bytes(int32_t in_c, int32_t out_w, int32_t out_c, int32_t k_h, int32_t k_w,
                                       int32_t stride_w, int32_t dil_h, int32_t dil_w);

// Whether out may overwrite in: starting at least *lag bytes below it, a
// multiple of *unit bytes below. Returns 0 when never.
int32_t tm_depthwise_conv_inplace_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w,
                                      int32_t out_c, int32_t k_h, int32_t k_w, int32_t stride_h, int32_t stride_w,
                                      int32_t dil_h, int32_t dil_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                                      int32_t *unit);

#endif  // FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_H_
