// SPDX-License-Identifier: Apache-2.0
// PRELU on int8, as TFLM's reference kernel computes it, looping over the input with alpha's broadcast strides.
#ifndef FIRMWARE_RUNTIME_REFERENCE_PRELU_H_
#define FIRMWARE_RUNTIME_REFERENCE_PRELU_H_

#include <stdint.h>

#include "kernels/prelu.h"
#include "reference/requantize.h"

// |x| <= 255 and |alpha - alpha_zp| <= 255: the product fits int32 and its Q31 scaling the 64-bit intermediate.
static inline void tm_ref_prelu(const tm_prelu_params_t *p, const int8_t *in, const int8_t *alpha, int8_t *out) {
  const int32_t *d = p->dims, *s = p->alpha_strides;
  for (int32_t a = 0; a < d[0]; ++a)
    for (int32_t b = 0; b < d[1]; ++b)
      for (int32_t c = 0; c < d[2]; ++c) {
        const int8_t *al = alpha + a * s[0] + b * s[1] + c * s[2];
        for (int32_t e = 0; e < d[3]; ++e) {
          const int32_t x = (int32_t)*in++ - p->in_zp;
          *out++ = x >= 0 ? tm_ref_requantize(x, p->pos_mult, p->pos_shift, p->out_zp, -128, 127)
                          : tm_ref_requantize(x * ((int32_t)al[e * s[3]] - p->alpha_zp), p->neg_mult,
                                              p->neg_shift, p->out_zp, -128, 127);
        }
      }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_PRELU_H_
