// SPDX-License-Identifier: Apache-2.0
// BATCH_MATMUL, DSP twin: where both operands run contiguously along the depth (lhs not adj_x, rhs adj_y: the
// attention-score layout), four terms per step with SXTB16 + SMLAD on zero-point-corrected int16 lanes
// (|int8 - zp| <= 255 fits int16); other layouts take the reference loops.
#include "kernels/batch_matmul.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/batch_matmul.h"

static int32_t tm_dsp_bmm_dot(const int8_t *l, const int8_t *r, int32_t n, int32_t lzp, int32_t rzp) {
  const int32_t lzp2 = (int32_t)(((uint32_t)lzp & 0xFFFFu) | ((uint32_t)lzp << 16));
  const int32_t rzp2 = (int32_t)(((uint32_t)rzp & 0xFFFFu) | ((uint32_t)rzp << 16));
  int32_t acc = 0, k = 0;
  for (; k + 4 <= n; k += 4) {
    const uint32_t a = tm_dsp_load4(l + k), b = tm_dsp_load4(r + k);
    acc = __smlad(__ssub16(tm_dsp_even(a), lzp2), __ssub16(tm_dsp_even(b), rzp2), acc);
    acc = __smlad(__ssub16(tm_dsp_odd(a), lzp2), __ssub16(tm_dsp_odd(b), rzp2), acc);
  }
  for (; k < n; ++k) acc += ((int32_t)l[k] - lzp) * ((int32_t)r[k] - rzp);
  return acc;
}

void tm_batch_matmul_eval(const tm_batch_matmul_params_t *p, const int8_t *lhs, const int8_t *rhs, int8_t *out) {
  if (p->lhs_depth_stride != 1 || p->rhs_depth_stride != 1) {
    tm_ref_batch_matmul(p, lhs, rhs, out);
    return;
  }
  const int32_t *d = p->batch_dims, *ls = p->lhs_batch_strides, *rs = p->rhs_batch_strides;
  for (int32_t b0 = 0; b0 < d[0]; ++b0)
    for (int32_t b1 = 0; b1 < d[1]; ++b1)
      for (int32_t b2 = 0; b2 < d[2]; ++b2) {
        const int8_t *l = lhs + b0 * ls[0] + b1 * ls[1] + b2 * ls[2];
        const int8_t *r = rhs + b0 * rs[0] + b1 * rs[1] + b2 * rs[2];
        for (int32_t i = 0; i < p->rows; ++i)
          for (int32_t j = 0; j < p->cols; ++j) {
            const int32_t acc = tm_dsp_bmm_dot(l + i * p->lhs_row_stride, r + j * p->rhs_col_stride, p->depth,
                                               p->lhs_zp, p->rhs_zp);
            *out++ = tm_dsp_requantize(acc, p->mult, p->shift, p->out_zp, -128, 127);
          }
      }
}
