// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED 16x8 for cores with the DSP extension: rows of four taps
// through SMLALD (kernels/dsp/dot_16x8.h); the tail of in_depth % 4 taps in C.
#include "kernels/fully_connected_16x8.h"

#include "kernels/dsp/dot_16x8.h"
#include "reference/requantize_16x8.h"

void tm_fully_connected_16x8_eval(const tm_fully_connected_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int body = p->in_depth & ~3;
  for (int b = 0; b < p->batches; ++b, in += p->in_depth) {
    for (int o = 0; o < p->out_depth; ++o) {
      const int8_t *w = p->weights + (int32_t)o * p->row;
      int64_t acc = tm_dsp_dot_16x8(in, w, body, p->bias[o]);
      for (int i = body; i < p->in_depth; ++i) acc += (int32_t)in[i] * w[i];
      *out++ = tm_ref_requantize_16x8(acc, p->mult, p->shift, p->act_min, p->act_max);
    }
  }
}
