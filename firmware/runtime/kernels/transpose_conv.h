// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE_CONV on int8 NHWC (learned upsampling), per-channel quantized weights, one batch.
#ifndef FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_CONV_H_
#define FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_CONV_H_

#include <stdint.h>

typedef struct {
  int32_t in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w;
  int32_t pad_top, pad_left;    // input pixel (y, x) lands on output (y * stride - pad_top + ky, ...)
  int32_t in_zp, out_zp, act_min, act_max;
  const int8_t *weights;        // [out_c][k_h][k_w][in_c], symmetric
  const int32_t *bias;          // per output channel (zeros when the model has none)
  const int32_t *mult, *shift;  // per output channel
} tm_transpose_conv_params_t;

// Each output is its bias plus every (input - in_zp) * weight product that lands on it, requantized per
// channel; out must not alias in.
void tm_transpose_conv_eval(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_CONV_H_
