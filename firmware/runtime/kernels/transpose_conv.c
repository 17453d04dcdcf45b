// SPDX-License-Identifier: Apache-2.0
// Portable TRANSPOSE_CONV. The int32 sums are exact whatever the order they are added in, so each output gets
// TFLM's sum; the input's zero point is subtracted per product (at the borders not every tap reaches an output,
// so it cannot be folded into the bias).
#include "kernels/transpose_conv.h"

#include <string.h>

#include "reference/requantize.h"

void tm_transpose_conv_eval(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out) {
  const int32_t n_out = p->out_h * p->out_w * p->out_c;
  memset(p->scratch, 0, (size_t)n_out * sizeof(int32_t));
  for (int32_t iy = 0; iy < p->in_h; ++iy) {
    for (int32_t ix = 0; ix < p->in_w; ++ix) {
      const int8_t *pixel = in + (iy * p->in_w + ix) * p->in_c;
      for (int32_t fy = 0; fy < p->k_h; ++fy) {
        const int32_t oy = iy * p->stride_h - p->pad_top + fy;
        if (oy < 0 || oy >= p->out_h) continue;
        for (int32_t fx = 0; fx < p->k_w; ++fx) {
          const int32_t ox = ix * p->stride_w - p->pad_left + fx;
          if (ox < 0 || ox >= p->out_w) continue;
          int32_t *sums = p->scratch + (oy * p->out_w + ox) * p->out_c;
          for (int32_t oc = 0; oc < p->out_c; ++oc) {
            const int8_t *w = p->weights + ((oc * p->k_h + fy) * p->k_w + fx) * p->in_c;
            int32_t acc = 0;
            for (int32_t ic = 0; ic < p->in_c; ++ic) acc += ((int32_t)pixel[ic] - p->in_zp) * w[ic];
            sums[oc] += acc;
          }
        }
      }
    }
  }
  for (int32_t i = 0; i < n_out; ++i) {
    const int32_t oc = i % p->out_c;
    out[i] = tm_ref_requantize(p->scratch[i] + p->bias[oc], p->mult[oc], p->shift[oc], p->out_zp, p->act_min,
                               p->act_max);
  }
}
