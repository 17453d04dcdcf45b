// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D 16x8: int16 activations (zero point 0), per-channel int8
// weights, int64 bias, depth multiplier, NHWC, batch 1.
#ifndef FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_16X8_H_

#include <stdint.h>

#include "kernels/weights_16x8.h"

typedef struct {
  int16_t in_h, in_w, in_c;      // input shape
  int16_t out_h, out_w, out_c;   // output shape; out_c = in_c * depth_mult
  int16_t depth_mult;            // output channels per input channel
  int16_t k_h, k_w;
  int16_t stride_h, stride_w;
  int16_t dil_h, dil_w;
  int16_t pad_top, pad_left;
  int32_t act_min, act_max;      // fused activation clamp, in int16 output units
  int32_t acc32;                 // 1 when every channel's |bias| + 32768 * sum|w| < 2^31: int32 sums are exact
  const int8_t *weights;         // [k_h][k_w][out_c], as in the model
  const int64_t *bias;           // per output channel (zeros when the model has none)
  const int32_t *mult;           // per output channel
  const int32_t *shift;
  const int32_t *rq;             // DSP kernel with acc32: per channel {multiplier, shift, rounding constant low,
                                 // high}, folded by the generator (kernels/dsp/dot_16x8.h; else 0)
} tm_depthwise_conv_16x8_params_t;

// out = depthwise_conv(in); out never overlaps in.
void tm_depthwise_conv_16x8_eval(const tm_depthwise_conv_16x8_params_t *p, const int16_t *in, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_DEPTHWISE_CONV_16X8_H_
