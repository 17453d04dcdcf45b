// SPDX-License-Identifier: Apache-2.0
// RELU, RELU6 and LEAKY_RELU as standalone ops (a converter emits them where no layer before them can fuse them).
#ifndef FIRMWARE_RUNTIME_KERNELS_RELU_H_
#define FIRMWARE_RUNTIME_KERNELS_RELU_H_

#include <stdint.h>

typedef struct {
  int32_t count;
  int32_t in_zp, out_zp;
  int32_t pos_mult, pos_shift;  // x >= in_zp: in scale / out scale (RELU6: identity, TFLM does not rescale it)
  int32_t neg_mult, neg_shift;  // x < in_zp: the same for RELU and RELU6, in scale * alpha / out scale for LEAKY_RELU
  int32_t act_min, act_max;     // clamp in output units: RELU from the output zero point, RELU6 [zero, six]
} tm_relu_params_t;

// out = clamp(out_zp + requantize(in - in_zp, pos or neg multiplier)); out may alias in.
void tm_relu_eval(const tm_relu_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_RELU_H_
