// SPDX-License-Identifier: Apache-2.0
// Reference int8 ADD (both inputs rescaled to twice the larger scale with
// 20 bits of headroom, summed, rescaled to the output) and MUL (product of
// offset inputs, rescaled once).
#ifndef FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_H_
#define FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_H_

#include "kernels/elementwise.h"
#include "reference/requantize.h"

static inline int8_t tm_ref_add_point(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound: |a - zp| <= 255 < 2^8, shifted by 20: < 2^28; two rescaled terms sum below 2^30.
  const int32_t sa = tm_fp_requantize((a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
  const int32_t sb = tm_fp_requantize((b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
  return tm_ref_requantize(sa + sb, p->out_mult, p->out_shift, p->out_zp, p->act_min, p->act_max);
}

static inline int8_t tm_ref_mul_point(const tm_elementwise_params_t *p, int32_t a, int32_t b) {
  // Bound: |(a - zp1) * (b - zp2)| <= 2^16.
  return tm_ref_requantize((a - p->in1_zp) * (b - p->in2_zp), p->out_mult, p->out_shift, p->out_zp, p->act_min,
                           p->act_max);
}

// One walk for both activation widths: T is the element type; `point` computes one output from two
// inputs (broadcast by the strides when the operands are not contiguous).
#define TM_REF_ELEMENTWISE_DEFINE(name, T)                                                                  \
  static inline void name(const tm_elementwise_params_t *p, const T *in1, const T *in2, T *out,             \
                          T (*point)(const tm_elementwise_params_t *, int32_t, int32_t)) {                  \
    if (p->contiguous) {                                                                                    \
      for (int32_t i = 0; i < p->count; ++i) out[i] = point(p, in1[i], in2[i]);                             \
      return;                                                                                               \
    }                                                                                                       \
    for (int32_t d0 = 0; d0 < p->dims[0]; ++d0) {                                                           \
      for (int32_t d1 = 0; d1 < p->dims[1]; ++d1) {                                                         \
        for (int32_t d2 = 0; d2 < p->dims[2]; ++d2) {                                                       \
          const int32_t o1 = d0 * p->stride1[0] + d1 * p->stride1[1] + d2 * p->stride1[2];                  \
          const int32_t o2 = d0 * p->stride2[0] + d1 * p->stride2[1] + d2 * p->stride2[2];                  \
          for (int32_t d3 = 0; d3 < p->dims[3]; ++d3) {                                                     \
            *out++ = point(p, in1[o1 + d3 * p->stride1[3]], in2[o2 + d3 * p->stride2[3]]);                  \
          }                                                                                                 \
        }                                                                                                   \
      }                                                                                                     \
    }                                                                                                       \
  }

TM_REF_ELEMENTWISE_DEFINE(tm_ref_elementwise, int8_t)

#endif  // FIRMWARE_RUNTIME_REFERENCE_ELEMENTWISE_H_
