// SPDX-License-Identifier: Apache-2.0
// Reference int16 ADD (both inputs rescaled to twice the larger scale with
// 15 bits of headroom, summed, rescaled to the output) and MUL (product of
// the inputs, rescaled once), clamped in int16.
#ifndef FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_16X8_H_

#include "kernels/elementwise_16x8.h"
#include "reference/elementwise.h"
#include "reference/fixedpoint.h"

static inline int16_t tm_ref_clamp_16x8(int32_t v, int32_t lo, int32_t hi) {
  return (int16_t)(v < lo ? lo : (v > hi ? hi : v));
}

static inline int16_t tm_ref_add_16x8(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound: |a| <= 2^15, shifted by 15: <= 2^30; the two rescaled terms (multipliers below one half) sum below 2^31.
  const int32_t sa = tm_fp_requantize((a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
  const int32_t sb = tm_fp_requantize((b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
  return tm_ref_clamp_16x8(tm_fp_requantize(sa + sb, p->out_mult, p->out_shift) + p->out_zp, p->act_min, p->act_max);
}

static inline int16_t tm_ref_mul_16x8(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound: |a * b| <= 2^30.
  return tm_ref_clamp_16x8(tm_fp_requantize((a - p->in1_zp) * (b - p->in2_zp), p->out_mult, p->out_shift) + p->out_zp,
                           p->act_min, p->act_max);
}

TM_REF_ELEMENTWISE_DEFINE(tm_ref_elementwise_16x8, int16_t)

#endif  // FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_16X8_H_
