// SPDX-License-Identifier: Apache-2.0
// PRELU, DSP twin: the portable kernel's table for the codes it covers, and the negative side's requantization
// with SMMULR (the multiplier is positive: scales are) instead of the 64-bit reference product.
#include "kernels/prelu.h"

#include "kernels/dsp/dsp_common.h"

void tm_prelu_eval(const tm_prelu_params_t *p, const int8_t *in, const int8_t *alpha, int8_t *out) {
  const int8_t *t = p->table + 128;
  const int32_t *d = p->dims, *s = p->alpha_strides;
  if (p->table_all) {
    for (int32_t i = d[0] * d[1] * d[2] * d[3]; i > 0; --i) *out++ = t[*in++];
    return;
  }
  const int32_t in_zp = p->in_zp, a_zp = p->alpha_zp, mult = p->neg_mult, shift = p->neg_shift, zp = p->out_zp;
  for (int32_t a = 0; a < d[0]; ++a)
    for (int32_t b = 0; b < d[1]; ++b)
      for (int32_t c = 0; c < d[2]; ++c) {
        const int8_t *al = alpha + a * s[0] + b * s[1] + c * s[2];
        const int32_t step = s[3];
        for (int32_t e = 0; e < d[3]; ++e) {
          const int32_t x = (int32_t)*in++ - in_zp;
          *out++ = x >= 0 ? t[x + in_zp]
                          : tm_dsp_requantize(x * ((int32_t)al[e * step] - a_zp), mult, shift, zp, -128, 127);
        }
      }
}
