// SPDX-License-Identifier: Apache-2.0
// Portable PRELU, TFLM's arithmetic: the offset input rescaled, or its product with the offset slope rescaled.
#include "kernels/prelu.h"

#include "reference/requantize.h"

// |x - in_zp| <= 255 and |alpha| <= 255: their product fits int32 with room for the requantization's shift.
void tm_prelu_eval(const tm_prelu_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t base = 0; base < p->count; base += p->period) {
    for (int32_t c = 0; c < p->period; ++c) {
      const int32_t v = (int32_t)in[base + c] - p->in_zp;
      out[base + c] = v >= 0 ? tm_ref_requantize(v, p->pos_mult, p->pos_shift, p->out_zp, -128, 127)
                             : tm_ref_requantize(v * p->alpha[c], p->neg_mult, p->neg_shift, p->out_zp, -128, 127);
    }
  }
}
