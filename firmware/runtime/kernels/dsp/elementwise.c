// SPDX-License-Identifier: Apache-2.0
// ADD and MUL for Cortex-M with the DSP extension: same-shape ADD runs with
// the constants in registers and the SMMULR requantization (branch-free when
// every shift is a right shift); MUL and broadcasting use the reference loops.
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

// round(h / 2^right), ties away from zero, with half = 2^right / 2 and
// neg = -1 when right > 0, else 0 (right = 0 leaves h as it is).
static inline int32_t add_round(int32_t h, int right, int32_t half, int32_t neg) {
  return (h + half + ((h >> 31) & neg)) >> right;
}

// Same-shape ADD when both input shifts are right shifts (or 0) and the
// output shift is a right shift: every step is branch-free.
static void add_fast(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  const int32_t zp1 = p->in1_zp, zp2 = p->in2_zp, m1 = p->in1_mult, m2 = p->in2_mult;
  const int r1 = -p->in1_shift, r2 = -p->in2_shift;
  const int32_t half1 = (int32_t)((1u << r1) >> 1), half2 = (int32_t)((1u << r2) >> 1);
  const int32_t neg1 = r1 > 0 ? -1 : 0, neg2 = r2 > 0 ? -1 : 0;
  const int32_t mo = p->out_mult, so = p->out_shift, zo = p->out_zp, lo = p->act_min, hi = p->act_max;
  const int32_t n = p->count;
  if (lo == -128 && hi == 127) {
    for (int32_t i = 0; i < n; ++i) {
      // Bound: |q - zp| <= 255 shifted by 20 stays below 2^28; the rescaled sum below 2^29.
      const int32_t a = add_round(tm_dsp_high_mul((in1[i] - zp1) * (1 << 20), m1), r1, half1, neg1);
      const int32_t b = add_round(tm_dsp_high_mul((in2[i] - zp2) * (1 << 20), m2), r2, half2, neg2);
      out[i] = tm_dsp_requantize_fast_sat(a + b, mo, so, zo);
    }
    return;
  }
  for (int32_t i = 0; i < n; ++i) {
    // Bound: as above.
    const int32_t a = add_round(tm_dsp_high_mul((in1[i] - zp1) * (1 << 20), m1), r1, half1, neg1);
    const int32_t b = add_round(tm_dsp_high_mul((in2[i] - zp2) * (1 << 20), m2), r2, half2, neg2);
    out[i] = tm_dsp_requantize_fast(a + b, mo, so, zo, lo, hi);
  }
}

// Same-shape ADD when input 2 has the larger scale, so its rescale is
// exactly x / 2 (multiplier 2^30, shift 0): (q2 - zp2) << 19 without a
// multiply; input 1 has a right shift r1 >= 1 and the output a right shift
// ro in [1, 22], so the output zero point folds into the rounding constant
// (half + zo << ro stays below 2^30). Branch-free.
static void add_half_scale(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out,
                           int32_t zp1, int32_t m1, int r1, int32_t zp2) {
  const int32_t c1 = (int32_t)((uint32_t)zp1 << 21), half1 = (int32_t)(1u << (r1 - 1));
  const int ro = -p->out_shift;
  const int32_t mo = p->out_mult, round = (int32_t)(1u << (ro - 1)) + (int32_t)((uint32_t)p->out_zp << ro);
  const int32_t lo = p->act_min, hi = p->act_max;
  const int8_t *end = in1 + p->count;
  if (lo == -128 && hi == 127) {
    while (in1 < end) {
      // Bound: |q - zp| <= 255: a and b below 2^28 in magnitude, their sum below 2^29.
      const int32_t h1 = tm_dsp_high_mul_raw((int32_t)((uint32_t)*in1++ << 21) - c1, m1);
      const int32_t a = (h1 + half1 - (int32_t)((uint32_t)h1 >> 31)) >> r1;
      const int32_t h = tm_dsp_high_mul(a + (int32_t)((uint32_t)(*in2++ - zp2) << 19), mo);
      *out++ = (int8_t)__ssat((h + round - (int32_t)((uint32_t)h >> 31)) >> ro, 8);
    }
    return;
  }
  while (in1 < end) {
    // Bound: as above.
    const int32_t h1 = tm_dsp_high_mul_raw((int32_t)((uint32_t)*in1++ << 21) - c1, m1);
    const int32_t a = (h1 + half1 - (int32_t)((uint32_t)h1 >> 31)) >> r1;
    const int32_t h = tm_dsp_high_mul(a + (int32_t)((uint32_t)(*in2++ - zp2) << 19), mo);
    int32_t v = __ssat((h + round - (int32_t)((uint32_t)h >> 31)) >> ro, 8);
    v = v < lo ? lo : v;
    *out++ = (int8_t)(v > hi ? hi : v);
  }
}

// Same-shape ADD from the generated tables (toolchain/aot/quant.py
// add_input_table): per element two table loads, the output's SMMULR of
// the doubled sum and its rounding shift with the zero point folded in, as
// in add_half_scale. Branch-free.
static void add_table(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  const int32_t *t1 = p->table1 + 128, *t2 = p->table2 + 128;
  const int ro = -p->out_shift;
  const int32_t mo = p->out_mult, round = (int32_t)(1u << (ro - 1)) + (int32_t)((uint32_t)p->out_zp << ro);
  const int32_t lo = p->act_min, hi = p->act_max;
  const int8_t *end = in1 + p->count;
  if (lo == -128 && hi == 127) {
    while (in1 < end) {
      // Bound: each table value is below 2^29 in magnitude, the sum below 2^30.
      const int32_t h = tm_dsp_high_mul_raw(t1[*in1++] + t2[*in2++], mo);
      *out++ = (int8_t)__ssat((h + round - (int32_t)((uint32_t)h >> 31)) >> ro, 8);
    }
    return;
  }
  while (in1 < end) {
    // Bound: as above.
    const int32_t h = tm_dsp_high_mul_raw(t1[*in1++] + t2[*in2++], mo);
    int32_t v = __ssat((h + round - (int32_t)((uint32_t)h >> 31)) >> ro, 8);
    v = v < lo ? lo : v;
    *out++ = (int8_t)(v > hi ? hi : v);
  }
}

void tm_elementwise_add(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out) {
  if (!p->contiguous) {
    tm_ref_elementwise(p, in1, in2, out, tm_ref_add_point);
    return;
  }
  if (p->table1 && p->table2) {
    add_table(p, in1, in2, out);
    return;
  }
  const int half2 = p->in2_mult == (1 << 30) && p->in2_shift == 0, half1 = p->in1_mult == (1 << 30) && p->in1_shift == 0;
  const int out_ok = p->out_shift <= -1 && p->out_shift >= -22 && p->out_mult >= 0 && p->left_shift == 20;
  if (out_ok && half2 && p->in1_shift <= -1 && p->in1_mult >= 0) {
    add_half_scale(p, in1, in2, out, p->in1_zp, p->in1_mult, -p->in1_shift, p->in2_zp);
    return;
  }
  if (out_ok && half1 && p->in2_shift <= -1 && p->in2_mult >= 0) {  // the sum is symmetric
    add_half_scale(p, in2, in1, out, p->in2_zp, p->in2_mult, -p->in2_shift, p->in1_zp);
    return;
  }
  if (p->left_shift == 20 && p->in1_shift <= 0 && p->in2_shift <= 0 && p->out_shift < 0 && p->in1_mult >= 0 &&
      p->in2_mult >= 0 && p->out_mult >= 0) {
    add_fast(p, in1, in2, out);
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
