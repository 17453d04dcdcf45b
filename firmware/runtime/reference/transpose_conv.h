// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE_CONV gathered per output: the taps whose input pixel lands on this output are found from the
// output side, so no int32 scratch of the whole output is needed. TFLM scatters into such a scratch; both sum
// the same int32 products (exact at these sizes), so the result is the same.
#ifndef FIRMWARE_RUNTIME_REFERENCE_TRANSPOSE_CONV_H_
#define FIRMWARE_RUNTIME_REFERENCE_TRANSPOSE_CONV_H_

#include <stdint.h>

#include "kernels/transpose_conv.h"
#include "reference/requantize.h"

// Input row/column hit by tap k of output position o, or -1 when the tap lands between input pixels or outside.
static inline int32_t tm_ref_transpose_conv_source(int32_t o, int32_t pad, int32_t k, int32_t stride, int32_t size) {
  const int32_t t = o + pad - k;
  if (t < 0 || t % stride) return -1;
  return t / stride < size ? t / stride : -1;
}

static inline void tm_ref_transpose_conv(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t ic = p->in_c;
  for (int32_t oy = 0; oy < p->out_h; ++oy)
    for (int32_t ox = 0; ox < p->out_w; ++ox)
      for (int32_t oc = 0; oc < p->out_c; ++oc) {
        int32_t acc = p->bias[oc];
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
          const int32_t iy = tm_ref_transpose_conv_source(oy, p->pad_top, ky, p->stride_h, p->in_h);
          if (iy < 0) continue;
          for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = tm_ref_transpose_conv_source(ox, p->pad_left, kx, p->stride_w, p->in_w);
            if (ix < 0) continue;
            const int8_t *x = in + (iy * p->in_w + ix) * ic;
            const int8_t *w = p->weights + ((oc * p->k_h + ky) * p->k_w + kx) * ic;
            for (int32_t c = 0; c < ic; ++c) acc += ((int32_t)x[c] - p->in_zp) * w[c];
          }
        }
        *out++ = tm_ref_requantize(acc, p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
      }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_TRANSPOSE_CONV_H_
