// SPDX-License-Identifier: Apache-2.0
// GATHER as one row copy per index.
#ifndef FIRMWARE_RUNTIME_REFERENCE_GATHER_H_
#define FIRMWARE_RUNTIME_REFERENCE_GATHER_H_

#include <stdint.h>
#include <string.h>

#include "kernels/gather.h"

static inline void tm_ref_gather(const tm_gather_params_t *p, const int8_t *table, const int32_t *idx, int8_t *out) {
  const int32_t last = p->axis_size - 1;
  for (int32_t b = 0; b < p->batches; ++b) {
    const int32_t *k = idx + b * p->coords;
    for (int32_t o = 0; o < p->outer; ++o) {
      const int8_t *base = table + (b * p->outer + o) * p->axis_size * p->inner;
      for (int32_t c = 0; c < p->coords; ++c) {
        const int32_t i = k[c] < 0 ? 0 : (k[c] > last ? last : k[c]);
        memcpy(out, base + i * p->inner, (size_t)p->inner);
        out += p->inner;
      }
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_GATHER_H_
