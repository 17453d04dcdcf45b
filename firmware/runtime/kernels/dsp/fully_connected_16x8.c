// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED 16x8 for cores with the DSP extension: SMLAD (int32 sums,
// when acc32; two rows per pass where the input rows are word aligned) or
// SMLALD over the widened weights (kernels/dsp/dot_16x8.h); an odd last tap
// in C.
#include "kernels/fully_connected_16x8.h"

#include "kernels/dsp/dot_16x8.h"
#include "reference/requantize_16x8.h"

void tm_fully_connected_16x8_eval(const tm_fully_connected_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int body = p->in_depth & ~1;
  // Two rows per pass (tm_dsp_dot12_16x8) where its LDRD may read the input:
  // the arena places tensors word aligned, and rows of a multiple of 4 taps
  // keep every batch row so.
  const int pairs = p->acc32 && p->in_depth % 4 == 0 ? p->out_depth & ~1 : 0;
  for (int b = 0; b < p->batches; ++b, in += p->in_depth) {
    const int16_t *w = p->weights16;
    int o = 0;
    for (; o < pairs; o += 2, w += 2 * p->row) {
      int32_t s[2] = {(int32_t)p->bias[o], (int32_t)p->bias[o + 1]};
      tm_dsp_dot12_16x8(in, w, p->row, s);
      *out++ = tm_dsp_requantize_rq16(s[0], p->rq, p->act_min, p->act_max);
      *out++ = tm_dsp_requantize_rq16(s[1], p->rq, p->act_min, p->act_max);
    }
    for (; o < p->out_depth; ++o, w += p->row) {
      const int32_t last = body < p->in_depth ? (int32_t)in[body] * w[body] : 0;
      if (p->acc32) {
        const int32_t a = tm_dsp_dot32_16x8(in, w, body, (int32_t)p->bias[o] + last);
        *out++ = tm_dsp_requantize_rq16(a, p->rq, p->act_min, p->act_max);
      } else {
        const int64_t a = tm_dsp_dot64_16x8(in, w, body, p->bias[o] + last);
        *out++ = tm_ref_requantize_16x8(a, p->mult, p->shift, p->act_min, p->act_max);
      }
    }
  }
}
