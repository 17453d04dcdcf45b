// SPDX-License-Identifier: Apache-2.0
// GATHER as one copy per index: single bytes (a gather of channels) without memcpy's call.
#ifndef FIRMWARE_RUNTIME_REFERENCE_GATHER_H_
#define FIRMWARE_RUNTIME_REFERENCE_GATHER_H_

#include <stdint.h>
#include <string.h>

#include "kernels/gather.h"

static inline void tm_ref_gather(const tm_gather_params_t *p, const int8_t *table, const int32_t *idx, int8_t *out) {
  const int32_t last = p->axis_size - 1, n = p->inner;
  for (int32_t b = 0; b < p->batches; ++b) {
    const int32_t *k = idx + b * p->coords;
    for (int32_t o = 0; o < p->outer; ++o) {
      const int8_t *base = table + (b * p->outer + o) * p->axis_size * n;
      if (n == 1 && p->checked) {
        for (int32_t c = 0; c < p->coords; ++c) *out++ = base[k[c]];
        continue;
      }
      for (int32_t c = 0; c < p->coords; ++c) {
        const int32_t i = p->checked ? k[c] : (k[c] < 0 ? 0 : (k[c] > last ? last : k[c]));
        memcpy(out, base + i * n, (size_t)n);
        out += n;
      }
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_GATHER_H_
