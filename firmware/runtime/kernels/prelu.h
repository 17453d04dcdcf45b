// SPDX-License-Identifier: Apache-2.0
// PRELU, int8: a slope per channel (or one for all) for the negative inputs, as Keras's PReLU and ONNX PRelu.
#ifndef FIRMWARE_RUNTIME_KERNELS_PRELU_H_
#define FIRMWARE_RUNTIME_KERNELS_PRELU_H_

#include <stdint.h>

typedef struct {
  int32_t count;                  // elements, a multiple of period
  int32_t period;                 // slopes: the alpha tensor covers the trailing axes (1: one slope)
  int32_t in_zp, out_zp;
  int32_t pos_mult, pos_shift;    // x >= in_zp: in scale / out scale
  int32_t neg_mult, neg_shift;    // x < in_zp: in scale * alpha scale / out scale, applied to (x - in_zp) * alpha
  const int32_t *alpha;           // period slopes, their zero point already subtracted
} tm_prelu_params_t;

// out may alias in.
void tm_prelu_eval(const tm_prelu_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_PRELU_H_
