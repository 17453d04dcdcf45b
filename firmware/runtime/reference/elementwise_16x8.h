// SPDX-License-Identifier: Apache-2.0
// Reference int16 ADD (both inputs rescaled to twice the larger scale with
// 15 bits of headroom, summed, rescaled to the output) and MUL (product of
// the inputs, rescaled once), clamped in int16.
#ifndef FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_16X8_H_

#include "kernels/elementwise_16x8.h"
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

static inline void tm_ref_elementwise_16x8(const tm_elementwise_params_t *p, const int16_t *in1, const int16_t *in2,
                                           int16_t *out,
                                           int16_t (*point)(const tm_elementwise_params_t *, int32_t, int32_t)) {
  if (p->contiguous) {
    for (int32_t i = 0; i < p->count; ++i) out[i] = point(p, in1[i], in2[i]);
    return;
  }
  for (int32_t d0 = 0; d0 < p->dims[0]; ++d0) {
    for (int32_t d1 = 0; d1 < p->dims[1]; ++d1) {
      for (int32_t d2 = 0; d2 < p->dims[2]; ++d2) {
        const int32_t o1 = d0 * p->stride1[0] + d1 * p->stride1[1] + d2 * p->stride1[2];
        const int32_t o2 = d0 * p->stride2[0] + d1 * p->stride2[1] + d2 * p->stride2[2];
        for (int32_t d3 = 0; d3 < p->dims[3]; ++d3) {
          *out++ = point(p, in1[o1 + d3 * p->stride1[3]], in2[o2 + d3 * p->stride2[3]]);
        }
      }
    }
  }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_16X8_H_
