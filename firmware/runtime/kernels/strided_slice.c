// SPDX-License-Identifier: Apache-2.0
// Portable STRIDED_SLICE: begin, end, strides and masks resolved at compile time into a start and a step per axis.
#include "kernels/strided_slice.h"

void tm_strided_slice_eval(const tm_strided_slice_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t a = 0; a < p->count[0]; ++a) {
    const int8_t *pa = in + p->start + a * p->step[0];
    for (int32_t b = 0; b < p->count[1]; ++b) {
      const int8_t *pb = pa + b * p->step[1];
      for (int32_t c = 0; c < p->count[2]; ++c) {
        const int8_t *pc = pb + c * p->step[2];
        for (int32_t d = 0; d < p->count[3]; ++d) *out++ = pc[d * p->step[3]];
      }
    }
  }
}
