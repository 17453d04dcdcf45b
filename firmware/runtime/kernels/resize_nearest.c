// SPDX-License-Identifier: Apache-2.0
// Portable RESIZE_NEAREST_NEIGHBOR: a copy of depth bytes per output pixel; no requantization, as in TFLM.
#include "kernels/resize_nearest.h"

#include <string.h>

void tm_resize_nearest_eval(const tm_resize_nearest_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t y = 0; y < p->out_h; ++y) {
    const int8_t *row = in + (size_t)p->rows[y] * p->in_w * p->depth;
    for (int32_t x = 0; x < p->out_w; ++x) {
      memcpy(out, row + (size_t)p->cols[x] * p->depth, (size_t)p->depth);
      out += p->depth;
    }
  }
}
