// SPDX-License-Identifier: Apache-2.0
// Standalone RELU, RELU6 and LEAKY_RELU on int8, as TFLM's reference kernels compute them.
#ifndef FIRMWARE_RUNTIME_REFERENCE_RELU_H_
#define FIRMWARE_RUNTIME_REFERENCE_RELU_H_

#include <stdint.h>

#include "kernels/relu.h"
#include "reference/requantize.h"

// x - in_zp is within [-255, 255]: its product with a Q31 multiplier fits the 64-bit intermediate of
// tm_fp_requantize, and the clamp keeps the result in int8.
static inline void tm_ref_relu(const tm_relu_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    int32_t v = (int32_t)in[i] - p->in_zp;
    out[i] = v >= 0 ? tm_ref_requantize(v, p->pos_mult, p->pos_shift, p->out_zp, p->act_min, p->act_max)
                    : tm_ref_requantize(v, p->neg_mult, p->neg_shift, p->out_zp, p->act_min, p->act_max);
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_RELU_H_
