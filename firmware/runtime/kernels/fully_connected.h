// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED, int8 activations and weights, int32 bias.
#ifndef FIRMWARE_RUNTIME_KERNELS_FULLY_CONNECTED_H_
#define FIRMWARE_RUNTIME_KERNELS_FULLY_CONNECTED_H_

#include <stdint.h>

typedef struct {
  int16_t batches;              // rows of the input
  int16_t in_depth, out_depth;  // input row length, output row length
  int32_t out_zp;
  int32_t act_min, act_max;
  const int8_t *weights;        // [out_depth][in_depth] in the row-quad layout (reference/weight_layout.h)
  const int32_t *bias;          // bias[o] - in_zp * sum(weights[o]) (folded)
  const int32_t *mult;          // per output channel (a per-tensor value repeated)
  const int32_t *shift;
  // Per channel 2^(r-1) + out_zp * 2^r (r = -shift) when the generator proved
  // the fast requantization exact: every r in [1, 22] and |bias| + in_depth *
  // 2^14 < 2^30; else 0 (the DSP kernel then uses the checked one).
  const int32_t *round;
} tm_fully_connected_params_t;

// out[b][o] = requantize(bias[o] + sum_i in[b][i] * weights[o][i]).
void tm_fully_connected_eval(const tm_fully_connected_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_FULLY_CONNECTED_H_
