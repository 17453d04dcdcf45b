// SPDX-License-Identifier: Apache-2.0
// ADD and MUL for Cortex-M with the DSP extension: same-shape ADD runs with
// the constants in registers and the SMMULR requantization; MUL and
// broadcasting use the reference loops.
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/elementwise.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/elementwise.h"

// One input rescaled to the common scale; x = (q - zp) << 20 stays below
// 2^28, so shift 0 (the larger-scale input) needs only the high multiply.
static inline int32_t add_rescale(int32_t x, int32_t mult, int32_t shift) {
  return shift == 0 ? tm_dsp_high_mul(x, mult) : tm_dsp_scale(x, mult, shift);
}

void tm_elementwise_add(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  if (!p->contiguous) {
    tm_ref_elementwise(p, in1, in2, out, tm_ref_add_point);
    return;
  }
  const int32_t zp1 = p->in1_zp, zp2 = p->in2_zp, ls = p->left_shift;
  const int32_t m1 = p->in1_mult, s1 = p->in1_shift, m2 = p->in2_mult, s2 = p->in2_shift;
  const int32_t mo = p->out_mult, so = p->out_shift, zo = p->out_zp, lo = p->act_min, hi = p->act_max;
  for (int32_t i = 0; i < p->count; ++i) {
    // Bound: |x - zp| <= 255 shifted by 20 stays below 2^28; the rescaled sum below 2^30.
    const int32_t a = add_rescale((in1[i] - zp1) * (1 << ls), m1, s1);
    const int32_t b = add_rescale((in2[i] - zp2) * (1 << ls), m2, s2);
    out[i] = tm_dsp_requantize(a + b, mo, so, zo, lo, hi);
  }
}

void tm_elementwise_mul(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  tm_ref_elementwise(p, in1, in2, out, tm_ref_mul_point);
}
