// SPDX-License-Identifier: Apache-2.0
// ADD and MUL on int16 for Cortex-M with the DSP extension: the reference
// loops (same shapes or broadcast), with each requantization done by
// tm_dsp_scale (one SMMULR and a rounding shift where the reference takes a
// 64-bit product and its nudges). There is no SIMD step: every element needs
// its own 32-bit high multiply (two rescales and the output's for ADD).
// Hot loops: keep -O2 code generation when the project builds with -Os.
#pragma GCC optimize("O2")

#include "kernels/elementwise_16x8.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/elementwise_16x8.h"

static inline int16_t add16_point(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound: |a| <= 2^15 shifted by 15 is at most 2^30, tm_dsp_scale's fast path; the sum takes whichever path fits.
  const int32_t sa = tm_dsp_scale((a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
  const int32_t sb = tm_dsp_scale((b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
  return tm_ref_clamp_16x8(tm_dsp_scale(sa + sb, p->out_mult, p->out_shift) + p->out_zp, p->act_min, p->act_max);
}

static inline int16_t mul16_point(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound: |a * b| <= 2^30.
  return tm_ref_clamp_16x8(tm_dsp_scale((a - p->in1_zp) * (b - p->in2_zp), p->out_mult, p->out_shift) + p->out_zp,
                           p->act_min, p->act_max);
}

void tm_elementwise_16x8_add(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  tm_ref_elementwise_16x8(p, in1, in2, out, add16_point);
}

void tm_elementwise_16x8_mul(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  tm_ref_elementwise_16x8(p, in1, in2, out, mul16_point);
}
