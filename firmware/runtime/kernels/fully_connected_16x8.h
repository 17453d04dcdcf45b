// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED 16x8: int16 activations (zero point 0), int8 weights
// (per tensor), int64 bias.
#ifndef FIRMWARE_RUNTIME_KERNELS_FULLY_CONNECTED_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_FULLY_CONNECTED_16X8_H_

#include <stdint.h>

#include "kernels/weights_16x8.h"

typedef struct {
  int16_t batches;              // rows of the input
  int16_t in_depth, out_depth;  // input row length, output row length
  int16_t row;                  // weights row stride: in_depth rounded up to 4 (zero-padded)
  int32_t act_min, act_max;     // fused activation clamp, in int16 output units
  int32_t acc32;                // 1 when every channel's |bias| + 32767 * sum|w| < 2^31: int32 sums are exact
  const int8_t *weights;        // portable kernel: [out_depth][row] (else 0)
  const int16_t *weights16;     // DSP kernel: the same widened to int16 (else 0; kernels/weights_16x8.h)
  const int64_t *bias;          // per output channel (0 when the model has none)
  int32_t mult, shift;          // Q31 multiplier and shift of in_scale * w_scale / out_scale
  const int32_t *rq;            // DSP kernel with acc32: {multiplier, shift, rounding constant low, high},
                                // folded by the generator (kernels/dsp/dot_16x8.h; else 0)
} tm_fully_connected_16x8_params_t;

// out[b][o] = requantize(bias[o] + sum_i in[b][i] * weights[o][i]).
void tm_fully_connected_16x8_eval(const tm_fully_connected_16x8_params_t *p, const int16_t *in, int16_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_FULLY_CONNECTED_16X8_H_
