// SPDX-License-Identifier: Apache-2.0
// RESIZE_NEAREST_NEIGHBOR through the row and column maps; an output row that repeats the one above is one copy.
#ifndef FIRMWARE_RUNTIME_REFERENCE_RESIZE_NEAREST_H_
#define FIRMWARE_RUNTIME_REFERENCE_RESIZE_NEAREST_H_

#include <stdint.h>
#include <string.h>

#include "kernels/resize_nearest.h"

static inline void tm_ref_resize_nearest(const tm_resize_nearest_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t c = p->channels, row_bytes = p->out_w * c;
  for (int32_t n = 0; n < p->batches; ++n) {
    const int8_t *image = in + n * p->in_h * p->in_w * c;
    for (int32_t y = 0; y < p->out_h; ++y) {
      if (y > 0 && p->rows[y] == p->rows[y - 1]) {
        memcpy(out, out - row_bytes, (size_t)row_bytes);
      } else {
        const int8_t *src = image + p->rows[y] * p->in_w * c;
        for (int32_t x = 0; x < p->out_w; ++x) memcpy(out + x * c, src + p->cols[x] * c, (size_t)c);
      }
      out += row_bytes;
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_RESIZE_NEAREST_H_
