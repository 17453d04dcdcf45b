// SPDX-License-Identifier: Apache-2.0
// Reference FULLY_CONNECTED int8 (weights zero point 0, folded bias).
#ifndef FIRMWARE_RUNTIME_REFERENCE_FULLY_CONNECTED_H_
#define FIRMWARE_RUNTIME_REFERENCE_FULLY_CONNECTED_H_

#include "kernels/fully_connected.h"
#include "reference/requantize.h"
#include "reference/weight_layout.h"

static inline void tm_ref_fully_connected(const tm_fully_connected_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t k_padded = tm_ref_padded_row(p->in_depth);
  for (int b = 0; b < p->batches; ++b, in += p->in_depth) {
    for (int o = 0; o < p->out_depth; ++o) {
      // Bound: in_depth products of |x*w| <= 2^14; in_depth < 2^16 keeps it in int32.
      int32_t acc = p->bias[o];
      for (int i = 0; i < p->in_depth; ++i) acc += in[i] * tm_ref_quad_weight(p->weights, o, i, k_padded);
      *out++ = tm_ref_requantize(acc, p->mult[o], p->shift[o], p->out_zp, p->act_min, p->act_max);
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_FULLY_CONNECTED_H_
