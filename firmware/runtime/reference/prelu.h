// SPDX-License-Identifier: Apache-2.0
// PRELU on int8 for one element, as TFLM's reference kernel computes it.
#ifndef FIRMWARE_RUNTIME_REFERENCE_PRELU_H_
#define FIRMWARE_RUNTIME_REFERENCE_PRELU_H_

#include <stdint.h>

#include "kernels/prelu.h"
#include "reference/requantize.h"

// |x| <= 255 and |alpha - alpha_zp| <= 255: the product fits int32 and its Q31 scaling the 64-bit intermediate.
static inline int8_t tm_ref_prelu_value(const tm_prelu_params_t *p, int8_t in, int8_t alpha) {
  const int32_t x = (int32_t)in - p->in_zp;
  return x >= 0 ? tm_ref_requantize(x, p->pos_mult, p->pos_shift, p->out_zp, -128, 127)
                : tm_ref_requantize(x * ((int32_t)alpha - p->alpha_zp), p->neg_mult, p->neg_shift, p->out_zp, -128,
                                    127);
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_PRELU_H_
