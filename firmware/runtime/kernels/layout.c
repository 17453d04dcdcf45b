// SPDX-License-Identifier: Apache-2.0
// Portable PAD, CONCATENATION and copy.
#include "kernels/layout.h"

#include <string.h>

static uint8_t *layout_fill(uint8_t *out, const tm_layout_pad_params_t *p, int32_t n) {
  for (int32_t i = 0; i < n; ++i, out += p->elem_bytes) memcpy(out, p->value, (size_t)p->elem_bytes);
  return out;
}

void tm_layout_pad(const tm_layout_pad_params_t *p, const void *in, void *out) {
  const uint8_t *src = (const uint8_t *)in;
  uint8_t *dst = (uint8_t *)out;
  int32_t od[4], block[4];  // output dims, output elements per step of each dim
  for (int d = 0; d < 4; ++d) od[d] = p->before[d] + p->in_dims[d] + p->after[d];
  block[3] = 1;
  for (int d = 2; d >= 0; --d) block[d] = block[d + 1] * od[d + 1];
  dst = layout_fill(dst, p, p->before[0] * block[0]);
  for (int32_t a = 0; a < p->in_dims[0]; ++a) {
    dst = layout_fill(dst, p, p->before[1] * block[1]);
    for (int32_t b = 0; b < p->in_dims[1]; ++b) {
      dst = layout_fill(dst, p, p->before[2] * block[2]);
      for (int32_t c = 0; c < p->in_dims[2]; ++c) {
        const size_t row = (size_t)p->in_dims[3] * (size_t)p->elem_bytes;
        dst = layout_fill(dst, p, p->before[3]);
        memcpy(dst, src, row);
        dst += row;
        src += row;
        dst = layout_fill(dst, p, p->after[3]);
      }
      dst = layout_fill(dst, p, p->after[2] * block[2]);
    }
    dst = layout_fill(dst, p, p->after[1] * block[1]);
  }
  layout_fill(dst, p, p->after[0] * block[0]);
}

void tm_layout_concat(const tm_layout_concat_params_t *p, const void *const *in, void *out) {
  uint8_t *dst = (uint8_t *)out;
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->count; ++i) {
      const size_t n = (size_t)p->chunk_bytes[i];
      memcpy(dst, (const uint8_t *)in[i] + (size_t)o * n, n);
      dst += n;
    }
  }
}

void tm_layout_copy(const void *in, void *out, size_t bytes) {
  if (in != out) memmove(out, in, bytes);
}
