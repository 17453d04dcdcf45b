// SPDX-License-Identifier: Apache-2.0
// Portable TRANSPOSE_CONV, output by output: each output gathers the taps that reach it (input row
// (oy + pad_top - fy) / stride_h where that divides exactly), so no int32 buffer of the output's size is needed.
// The int32 sums are exact in any order, so each output gets TFLM's sum. The input's zero point is subtracted per
// product: at the borders not every tap reaches an output, so it cannot be folded into the bias.
#include "kernels/transpose_conv.h"

#include "reference/requantize.h"

void tm_transpose_conv_eval(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t oy = 0; oy < p->out_h; ++oy) {
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
      for (int32_t oc = 0; oc < p->out_c; ++oc) {
        int32_t acc = p->bias[oc];
        for (int32_t fy = 0; fy < p->k_h; ++fy) {
          const int32_t ty = oy + p->pad_top - fy;
          if (ty < 0 || ty % p->stride_h != 0 || ty / p->stride_h >= p->in_h) continue;
          for (int32_t fx = 0; fx < p->k_w; ++fx) {
            const int32_t tx = ox + p->pad_left - fx;
            if (tx < 0 || tx % p->stride_w != 0 || tx / p->stride_w >= p->in_w) continue;
            const int8_t *pixel = in + ((ty / p->stride_h) * p->in_w + tx / p->stride_w) * p->in_c;
            const int8_t *w = p->weights + ((oc * p->k_h + fy) * p->k_w + fx) * p->in_c;
            for (int32_t ic = 0; ic < p->in_c; ++ic) acc += ((int32_t)pixel[ic] - p->in_zp) * w[ic];
          }
        }
        *out++ = tm_ref_requantize(acc, p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
      }
    }
  }
}
