// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED for Cortex-M with the DSP extension: two output neurons
// per pass share each input word, four int8 per SMLAD pair, their weights
// interleaved at generation time (reference/weight_layout.h).
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/fully_connected.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/weight_layout.h"

void tm_fully_connected_eval(const tm_fully_connected_params_t *p, const int8_t *in, int8_t *out) {
  const int n = p->in_depth, kp = tm_ref_padded_row(n);
  for (int b = 0; b < p->batches; ++b, in += n, out += p->out_depth) {
    const int8_t *w = p->weights;
    for (int o = 0; o < p->out_depth; o += 2, w += 2 * kp) {
      const int o1 = o + 1 < p->out_depth ? o + 1 : o;
      // Bound: n products of |x*w| <= 2^14; n < 2^16 keeps the sums in int32.
      int32_t s0 = p->bias[o], s1 = p->bias[o1];
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        const uint32_t x = tm_dsp_load4(in + i), f0 = tm_dsp_load4(w + 2 * i), f1 = tm_dsp_load4(w + 2 * i + 4);
        const int32_t xe = tm_dsp_even(x), xo = tm_dsp_odd(x);
        s0 = __smlad(xe, tm_dsp_even(f0), __smlad(xo, tm_dsp_odd(f0), s0));
        s1 = __smlad(xe, tm_dsp_even(f1), __smlad(xo, tm_dsp_odd(f1), s1));
      }
      for (; i < n; ++i) {
        s0 += in[i] * w[2 * (i & ~3) + (i & 3)];
        s1 += in[i] * w[2 * (i & ~3) + 4 + (i & 3)];
      }
      out[o] = tm_dsp_requantize(s0, p->mult[o], p->shift[o], p->out_zp, p->act_min, p->act_max);
      if (o1 != o) out[o1] = tm_dsp_requantize(s1, p->mult[o1], p->shift[o1], p->out_zp, p->act_min, p->act_max);
    }
  }
}
