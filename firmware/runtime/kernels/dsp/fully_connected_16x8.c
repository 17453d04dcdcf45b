// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED 16x8 for cores with the DSP extension: each input row is
// swizzled once into the scratch (zero-padded to the weights' row of a
// multiple of 4), then two output channels at a time through SMLALD
// (kernels/dsp/dot_16x8.h).
#include "kernels/fully_connected_16x8.h"

#include "kernels/dsp/dot_16x8.h"
#include "reference/requantize_16x8.h"

void tm_fully_connected_16x8_eval(const tm_fully_connected_16x8_params_t *p, const int16_t *in, int16_t *out) {
  uint32_t *x = (uint32_t *)p->scratch;
  const int body = p->in_depth & ~3;
  for (int b = 0; b < p->batches; ++b, in += p->in_depth, out += p->out_depth) {
    tm_dsp_swizzle_16x8(in, x, body);
    if (body < p->row) {  // the last partial quad, zero-padded
      int16_t tail[4] = {0, 0, 0, 0};
      for (int i = body; i < p->in_depth; ++i) tail[i - body] = in[i];
      tm_dsp_swizzle_16x8(tail, x + body / 2, 4);
    }
    int o = 0;
    for (; o + 1 < p->out_depth; o += 2) {
      int64_t a0 = p->bias[o], a1 = p->bias[o + 1];
      const int8_t *w = p->weights + (int32_t)o * p->row;
      tm_dsp_dot2_16x8(x, w, w + p->row, p->row, &a0, &a1);
      out[o] = tm_ref_requantize_16x8(a0, p->mult, p->shift, p->act_min, p->act_max);
      out[o + 1] = tm_ref_requantize_16x8(a1, p->mult, p->shift, p->act_min, p->act_max);
    }
    if (o < p->out_depth) {
      const int64_t a = tm_dsp_dot_16x8(x, p->weights + (int32_t)o * p->row, p->row, p->bias[o]);
      out[o] = tm_ref_requantize_16x8(a, p->mult, p->shift, p->act_min, p->act_max);
    }
  }
}
