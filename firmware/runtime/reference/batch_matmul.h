// SPDX-License-Identifier: Apache-2.0
// BATCH_MATMUL on int8 as TFLM's reference kernel computes it: int32 sums of zero-point-corrected products, one
// requantization per output. The sum's order does not matter (int32 addition is exact at these sizes).
#ifndef FIRMWARE_RUNTIME_REFERENCE_BATCH_MATMUL_H_
#define FIRMWARE_RUNTIME_REFERENCE_BATCH_MATMUL_H_

#include <stdint.h>

#include "kernels/batch_matmul.h"
#include "reference/requantize.h"

static inline void tm_ref_batch_matmul(const tm_batch_matmul_params_t *p, const int8_t *lhs, const int8_t *rhs,
                                       int8_t *out) {
  const int32_t *d = p->batch_dims, *ls = p->lhs_batch_strides, *rs = p->rhs_batch_strides;
  for (int32_t b0 = 0; b0 < d[0]; ++b0)
    for (int32_t b1 = 0; b1 < d[1]; ++b1)
      for (int32_t b2 = 0; b2 < d[2]; ++b2) {
        const int8_t *l = lhs + b0 * ls[0] + b1 * ls[1] + b2 * ls[2];
        const int8_t *r = rhs + b0 * rs[0] + b1 * rs[1] + b2 * rs[2];
        for (int32_t i = 0; i < p->rows; ++i)
          for (int32_t j = 0; j < p->cols; ++j) {
            const int8_t *lr = l + i * p->lhs_row_stride, *rc = r + j * p->rhs_col_stride;
            int32_t acc = 0;
            for (int32_t k = 0; k < p->depth; ++k)
              acc += ((int32_t)lr[k * p->lhs_depth_stride] - p->lhs_zp) *
                     ((int32_t)rc[k * p->rhs_depth_stride] - p->rhs_zp);
            *out++ = tm_ref_requantize(acc, p->mult, p->shift, p->out_zp, -128, 127);
          }
      }
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_BATCH_MATMUL_H_
