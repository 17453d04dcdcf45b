// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED for Cortex-M with the DSP extension: two output neurons
// per pass share each input word, four int8 per SMLAD pair.
#include "kernels/fully_connected.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/requantize.h"

void tm_fully_connected_eval(const tm_fully_connected_params_t *p, const int8_t *in, int8_t *out) {
  const int n = p->in_depth;
  for (int b = 0; b < p->batches; ++b, in += n, out += p->out_depth) {
    for (int o = 0; o < p->out_depth; o += 2) {
      const int o1 = o + 1 < p->out_depth ? o + 1 : o;
      const int8_t *w0 = p->weights + (int32_t)o * n, *w1 = p->weights + (int32_t)o1 * n;
      // Bound: n products of |x*w| <= 2^14; n < 2^16 keeps the sums in int32.
      int32_t s0 = p->bias[o], s1 = p->bias[o1];
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        const uint32_t x = tm_dsp_load4(in + i);
        const int32_t xe = tm_dsp_even(x), xo = tm_dsp_odd(x);
        uint32_t f = tm_dsp_load4(w0 + i);
        s0 = __smlad(xe, tm_dsp_even(f), __smlad(xo, tm_dsp_odd(f), s0));
        f = tm_dsp_load4(w1 + i);
        s1 = __smlad(xe, tm_dsp_even(f), __smlad(xo, tm_dsp_odd(f), s1));
      }
      for (; i < n; ++i) {
        s0 += in[i] * w0[i];
        s1 += in[i] * w1[i];
      }
      out[o] = tm_ref_requantize(s0, p->mult[o], p->shift[o], p->out_zp, p->act_min, p->act_max);
      out[o1] = tm_ref_requantize(s1, p->mult[o1], p->shift[o1], p->out_zp, p->act_min, p->act_max);
    }
  }
}
