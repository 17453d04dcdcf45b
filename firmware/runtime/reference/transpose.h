// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE as four nested loops over the output, reading the input through permuted strides.
#ifndef FIRMWARE_RUNTIME_REFERENCE_TRANSPOSE_H_
#define FIRMWARE_RUNTIME_REFERENCE_TRANSPOSE_H_

#include <stdint.h>

#include "kernels/transpose.h"

static inline void tm_ref_transpose(const tm_transpose_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t *d = p->out_dims, *s = p->in_strides;
  for (int32_t a = 0; a < d[0]; ++a)
    for (int32_t b = 0; b < d[1]; ++b)
      for (int32_t c = 0; c < d[2]; ++c)
        for (int32_t e = 0; e < d[3]; ++e) *out++ = in[a * s[0] + b * s[1] + c * s[2] + e * s[3]];
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_TRANSPOSE_H_
