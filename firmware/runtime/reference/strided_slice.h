// SPDX-License-Identifier: Apache-2.0
// STRIDED_SLICE as four nested loops over the output; a unit innermost step copies whole rows.
#ifndef FIRMWARE_RUNTIME_REFERENCE_STRIDED_SLICE_H_
#define FIRMWARE_RUNTIME_REFERENCE_STRIDED_SLICE_H_

#include <stdint.h>
#include <string.h>

#include "kernels/strided_slice.h"

static inline void tm_ref_strided_slice(const tm_strided_slice_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t *d = p->out_dims, *s = p->in_strides;
  in += p->in_offset;
  for (int32_t a = 0; a < d[0]; ++a)
    for (int32_t b = 0; b < d[1]; ++b)
      for (int32_t c = 0; c < d[2]; ++c) {
        const int8_t *row = in + a * s[0] + b * s[1] + c * s[2];
        if (s[3] == 1) {
          memcpy(out, row, (size_t)d[3]);
          out += d[3];
        } else {
          for (int32_t e = 0; e < d[3]; ++e) *out++ = row[e * s[3]];
        }
      }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_STRIDED_SLICE_H_
