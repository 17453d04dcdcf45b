// SPDX-License-Identifier: Apache-2.0
// Reference int16 MEAN: integer sum over the reduced dimensions, then one
// requantization whose multiplier already divides by the element count.
#ifndef FIRMWARE_RUNTIME_REFERENCE_REDUCE_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_REDUCE_16X8_H_

#include "kernels/reduce_16x8.h"
#include "reference/fixedpoint.h"

static inline void tm_ref_reduce_16x8_mean(const tm_reduce_params_t *p, const int16_t *in, int16_t *out) {
  int32_t stride[4], outer[4], inner[4];
  stride[3] = 1;
  for (int d = 2; d >= 0; --d) stride[d] = stride[d + 1] * p->dims[d + 1];
  for (int d = 0; d < 4; ++d) {
    outer[d] = p->reduced[d] ? 1 : p->dims[d];
    inner[d] = p->reduced[d] ? p->dims[d] : 1;
  }
  for (int32_t a = 0; a < outer[0]; ++a)
    for (int32_t b = 0; b < outer[1]; ++b)
      for (int32_t c = 0; c < outer[2]; ++c)
        for (int32_t d = 0; d < outer[3]; ++d) {
          const int16_t *base = in + a * stride[0] + b * stride[1] + c * stride[2] + d * stride[3];
          // Bound: count values of |x| <= 2^15; the generator keeps count below 2^16.
          int32_t sum = 0;
          for (int32_t i = 0; i < inner[0]; ++i)
            for (int32_t j = 0; j < inner[1]; ++j)
              for (int32_t k = 0; k < inner[2]; ++k)
                for (int32_t l = 0; l < inner[3]; ++l) sum += base[i * stride[0] + j * stride[1] + k * stride[2] + l * stride[3]];
          int32_t v = tm_fp_requantize(sum, p->mult, p->shift);
          *out++ = (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
        }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_REDUCE_16X8_H_
