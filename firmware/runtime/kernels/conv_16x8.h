// SPDX-License-Identifier: Apache-2.0
// CONV_2D 16x8: int16 activations (zero point 0), per-channel int8 weights,
// int64 bias, NHWC, batch 1. Everything is a constant folded by the AOT
// generator ("prepare").
#ifndef FIRMWARE_RUNTIME_KERNELS_CONV_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_CONV_16X8_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/weights_16x8.h"

typedef struct {
  int16_t in_h, in_w, in_c;      // input shape (NHWC, N = 1)
  int16_t out_h, out_w, out_c;   // output shape
  int16_t k_h, k_w;              // filter size
  int16_t stride_h, stride_w;
  int16_t dil_h, dil_w;          // dilation factors (1 = dense)
  int16_t pad_top, pad_left;     // implicit zero padding before row/column 0
  int16_t kp;                    // filter row: k_h * k_w * in_c rounded up to 4 (zero-padded)
  int32_t act_min, act_max;      // fused activation clamp, in int16 output units
  int32_t acc32;                 // 1 when every channel's |bias| + 32767 * sum|w| < 2^31: int32 sums are exact
  const int8_t *weights;         // portable kernel: [out_c][kp], [k_h][k_w][in_c] taps then zeros (else 0)
  const int16_t *weights16;      // DSP kernel: the same widened to int16 (else 0; kernels/weights_16x8.h)
  const int64_t *bias;           // per channel (zeros when the model has none)
  const int32_t *mult;           // per-channel Q31 multiplier
  const int32_t *shift;          // per-channel power-of-two shift (> 0: left)
  const int32_t *rq;             // DSP kernel with acc32: per channel {multiplier, shift, rounding constant low,
                                 // high}, folded by the generator (kernels/dsp/dot_16x8.h; else 0)
  int16_t *scratch;              // tm_conv_16x8_scratch_bytes(...) bytes, 4-byte aligned
} tm_conv_16x8_params_t;

// out[out_h][out_w][out_c] = conv(in); out never overlaps in.
void tm_conv_16x8_eval(const tm_conv_16x8_params_t *p, const int16_t *in, int16_t *out);

// Scratch the kernel needs (each twin answers for itself; toolchain/aot/kernel_sizes.py asks both).
size_t tm_conv_16x8_scratch_bytes(int32_t k_h, int32_t k_w, int32_t in_c);

#endif  // FIRMWARE_RUNTIME_KERNELS_CONV_16X8_H_
