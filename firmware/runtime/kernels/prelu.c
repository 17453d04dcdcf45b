// SPDX-License-Identifier: Apache-2.0
// Portable PRELU: the generation-time table where the output depends on the input code alone (the positive side;
// every code when alpha is one constant), the reference arithmetic for the rest.
#include "kernels/prelu.h"

#include "reference/prelu.h"

void tm_prelu_eval(const tm_prelu_params_t *p, const int8_t *in, const int8_t *alpha, int8_t *out) {
  const int8_t *t = p->table + 128;
  const int32_t *d = p->dims, *s = p->alpha_strides;
  if (p->table_all) {
    for (int32_t i = d[0] * d[1] * d[2] * d[3]; i > 0; --i) *out++ = t[*in++];
    return;
  }
  for (int32_t a = 0; a < d[0]; ++a)
    for (int32_t b = 0; b < d[1]; ++b)
      for (int32_t c = 0; c < d[2]; ++c) {
        const int8_t *al = alpha + a * s[0] + b * s[1] + c * s[2];
        for (int32_t e = 0; e < d[3]; ++e, ++in)
          *out++ = *in >= p->in_zp ? t[*in] : tm_ref_prelu_value(p, *in, al[e * s[3]]);
      }
}
