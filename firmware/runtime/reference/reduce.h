// SPDX-License-Identifier: Apache-2.0
// Reference int8 MEAN: integer sum of (x - in_zp) over the reduced
// dimensions, then one requantization whose multiplier already divides by
// the element count.
#ifndef FIRMWARE_RUNTIME_REFERENCE_REDUCE_H_
#define FIRMWARE_RUNTIME_REFERENCE_REDUCE_H_

#include "kernels/reduce.h"
#include "reference/requantize.h"

// One body for both activation widths: T is the element type, ZP the input zero
// point (0 for int16) and STORE(p, sum) the requantized output. Bound: count values
// of |x - zp| <= 2^15; the generator keeps count below 2^16.
#define TM_REF_REDUCE_MEAN_DEFINE(name, T, ZP, STORE)                                                       \
  static inline void name(const tm_reduce_params_t *p, const T *in, T *out) {                               \
    int32_t stride[4], outer[4], inner[4];                                                                  \
    stride[3] = 1;                                                                                          \
    for (int d = 2; d >= 0; --d) stride[d] = stride[d + 1] * p->dims[d + 1];                                \
    for (int d = 0; d < 4; ++d) {                                                                           \
      outer[d] = p->reduced[d] ? 1 : p->dims[d];                                                            \
      inner[d] = p->reduced[d] ? p->dims[d] : 1;                                                            \
    }                                                                                                       \
    for (int32_t a = 0; a < outer[0]; ++a)                                                                  \
      for (int32_t b = 0; b < outer[1]; ++b)                                                                \
        for (int32_t c = 0; c < outer[2]; ++c)                                                              \
          for (int32_t d = 0; d < outer[3]; ++d) {                                                          \
            const T *base = in + a * stride[0] + b * stride[1] + c * stride[2] + d * stride[3];             \
            int32_t sum = 0;                                                                                \
            for (int32_t i = 0; i < inner[0]; ++i)                                                          \
              for (int32_t j = 0; j < inner[1]; ++j)                                                        \
                for (int32_t k = 0; k < inner[2]; ++k)                                                      \
                  for (int32_t l = 0; l < inner[3]; ++l)                                                    \
                    sum += base[i * stride[0] + j * stride[1] + k * stride[2] + l * stride[3]] - (ZP);      \
            *out++ = STORE(p, sum);                                                                         \
          }                                                                                                 \
  }

#define TM_REF_REDUCE_STORE_INT8(p, sum) tm_ref_requantize((sum), (p)->mult, (p)->shift, (p)->out_zp, -128, 127)
TM_REF_REDUCE_MEAN_DEFINE(tm_ref_reduce_mean, int8_t, p->in_zp, TM_REF_REDUCE_STORE_INT8)

#endif  // FIRMWARE_RUNTIME_REFERENCE_REDUCE_H_
