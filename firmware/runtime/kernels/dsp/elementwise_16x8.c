// SPDX-License-Identifier: Apache-2.0
// ADD and MUL on int16 for Cortex-M with the DSP extension: the reference
// loops (same shapes or broadcast), with each requantization done by
// tm_dsp_scale (one SMMULR and a rounding shift where the reference takes a
// 64-bit product and its nudges); same-shape ADD with right-shift (or 0)
// input rescales hoists its constants and rounds branch-free. There is no
// SIMD step: every element needs its own 32-bit high multiply (two rescales
// and the output's for ADD).
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

// round(h / 2^right), ties away from zero, with half = 2^right / 2 and neg = -1 when right > 0, else 0.
static inline int32_t add16_round(int32_t h, int right, int32_t half, int32_t neg) {
  return (h + half + ((h >> 31) & neg)) >> right;
}

// Same shapes, zero points 0, input shifts <= 0 (the larger-scale input's multiplier is one half, shift 0).
static void add16_same(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  const int32_t m1 = p->in1_mult, m2 = p->in2_mult, mo = p->out_mult, so = p->out_shift, ls = p->left_shift;
  const int r1 = -p->in1_shift, r2 = -p->in2_shift;
  const int32_t half1 = (int32_t)((1u << r1) >> 1), half2 = (int32_t)((1u << r2) >> 1);
  const int32_t neg1 = r1 > 0 ? -1 : 0, neg2 = r2 > 0 ? -1 : 0;
  const int32_t lo = p->act_min, hi = p->act_max;
  for (int32_t i = 0; i < p->count; ++i) {
    // Bound: |q| <= 2^15 shifted by at most 15 is at most 2^30; each rescaled term below 2^29, their sum 2^30.
    const int32_t a = add16_round(tm_dsp_high_mul(in1[i] * (1 << ls), m1), r1, half1, neg1);
    const int32_t b = add16_round(tm_dsp_high_mul(in2[i] * (1 << ls), m2), r2, half2, neg2);
    out[i] = tm_ref_clamp_16x8(tm_dsp_scale(a + b, mo, so), lo, hi);
  }
}

void tm_elementwise_16x8_add(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  if (p->contiguous && !p->in1_zp && !p->in2_zp && !p->out_zp && p->left_shift <= 15 && p->in1_shift <= 0 &&
      p->in2_shift <= 0) {
    add16_same(p, in1, in2, out);
    return;
  }
  tm_ref_elementwise_16x8(p, in1, in2, out, add16_point);
}

void tm_elementwise_16x8_mul(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2, int16_t *out) {
  tm_ref_elementwise_16x8(p, in1, in2, out, mul16_point);
}
