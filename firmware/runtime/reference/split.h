// SPDX-License-Identifier: Apache-2.0
// SPLIT as one pass over the input: each outer step hands every output its chunk.
#ifndef FIRMWARE_RUNTIME_REFERENCE_SPLIT_H_
#define FIRMWARE_RUNTIME_REFERENCE_SPLIT_H_

#include <stdint.h>
#include <string.h>

#include "kernels/split.h"

static inline void tm_ref_split(const tm_split_params_t *p, const int8_t *in, void *const *out) {
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->count; ++i) {
      const int32_t n = p->chunk_bytes[i];
      memcpy((int8_t *)out[i] + o * n, in, (size_t)n);
      in += n;
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_SPLIT_H_
