// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D, int8, per-channel weights, depth multiplier, NHWC, batch 1.
#ifndef FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_H_
#define FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_H_

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
  int8_t *scratch;               // k_h padded input rows of wp = (out_w-1)*stride_w+(k_w-1)*dil_w+1 pixels,
                                 // at least 32 * wp bytes for 3x3 windows with dilation 1 (4-byte aligned,
                                 // plus 4 * out_w when out_c % 4 != 0);
                                 // 3x3 with out_c % 4 != 0: plus one output row of out_w * out_c rounded up to 4
} tm_depthwise_conv_params_t;

// out = depthwise_conv(in); output rows written in order (see conv.h).
void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_H_
