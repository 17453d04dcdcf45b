// SPDX-License-Identifier: Apache-2.0
// Reference FULLY_CONNECTED 16x8.
#ifndef FIRMWARE_RUNTIME_REFERENCE_FULLY_CONNECTED_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_FULLY_CONNECTED_16X8_H_

#include "kernels/fully_connected_16x8.h"
#include "reference/requantize_16x8.h"

static inline void tm_ref_fully_connected_16x8(const tm_fully_connected_16x8_params_t *p, const int16_t *in,
                                               int16_t *out) {
  for (int b = 0; b < p->batches; ++b, in += p->in_depth) {
    for (int o = 0; o < p->out_depth; ++o) {
      // Bound: products |x*w| <= 2^22, in_depth < 2^15: the int64 sum stays far below the 2^47 requantization limit.
      int64_t acc = p->bias[o];
      const int32_t row = (int32_t)o * p->row;
      for (int i = 0; i < p->in_depth; ++i) acc += (int32_t)in[i] * tm_16x8_weight(p->weights, p->weights16, row + i);
      *out++ = tm_ref_requantize_16x8(acc, p->mult, p->shift, p->act_min, p->act_max);
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_FULLY_CONNECTED_16X8_H_
