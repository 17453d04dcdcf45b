// SPDX-License-Identifier: Apache-2.0
// BATCH_MATMUL, DSP twin: where both operands run contiguously along the depth (lhs not adj_x, rhs adj_y: the
// attention-score layout), 2x2 output blocks, four depth terms per step with SXTB16 + SMLAD on zero-point-corrected
// int16 lanes (|int8 - zp| <= 255 fits int16); each loaded word serves two outputs. Other layouts take the
// reference loops.
#include "kernels/batch_matmul.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/batch_matmul.h"

typedef struct {
  int32_t n, lzp, rzp, lzp2, rzp2;  // depth, zero points, and each packed in both int16 lanes
} tm_dsp_bmm_t;

static int32_t tm_dsp_bmm_dot(const tm_dsp_bmm_t *q, const int8_t *l, const int8_t *r) {
  int32_t acc = 0, k = 0;
  for (; k + 4 <= q->n; k += 4) {
    const uint32_t a = tm_dsp_load4(l + k), b = tm_dsp_load4(r + k);
    acc = __smlad(__ssub16(tm_dsp_even(a), q->lzp2), __ssub16(tm_dsp_even(b), q->rzp2), acc);
    acc = __smlad(__ssub16(tm_dsp_odd(a), q->lzp2), __ssub16(tm_dsp_odd(b), q->rzp2), acc);
  }
  for (; k < q->n; ++k) acc += ((int32_t)l[k] - q->lzp) * ((int32_t)r[k] - q->rzp);
  return acc;
}

// acc[0..3] = rows l0, l1 times columns r0, r1: (l0 r0, l0 r1, l1 r0, l1 r1).
static void tm_dsp_bmm_block(const tm_dsp_bmm_t *q, const int8_t *l0, const int8_t *l1, const int8_t *r0,
                             const int8_t *r1, int32_t *acc) {
  int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0, k = 0;
  for (; k + 4 <= q->n; k += 4) {
    const uint32_t x0 = tm_dsp_load4(l0 + k), x1 = tm_dsp_load4(l1 + k);
    const uint32_t y0 = tm_dsp_load4(r0 + k), y1 = tm_dsp_load4(r1 + k);
    int32_t u0 = __ssub16(tm_dsp_even(x0), q->lzp2), u1 = __ssub16(tm_dsp_even(x1), q->lzp2);
    int32_t v0 = __ssub16(tm_dsp_even(y0), q->rzp2), v1 = __ssub16(tm_dsp_even(y1), q->rzp2);
    a00 = __smlad(u0, v0, a00);
    a01 = __smlad(u0, v1, a01);
    a10 = __smlad(u1, v0, a10);
    a11 = __smlad(u1, v1, a11);
    u0 = __ssub16(tm_dsp_odd(x0), q->lzp2);
    u1 = __ssub16(tm_dsp_odd(x1), q->lzp2);
    v0 = __ssub16(tm_dsp_odd(y0), q->rzp2);
    v1 = __ssub16(tm_dsp_odd(y1), q->rzp2);
    a00 = __smlad(u0, v0, a00);
    a01 = __smlad(u0, v1, a01);
    a10 = __smlad(u1, v0, a10);
    a11 = __smlad(u1, v1, a11);
  }
  for (; k < q->n; ++k) {
    const int32_t u0 = (int32_t)l0[k] - q->lzp, u1 = (int32_t)l1[k] - q->lzp;
    const int32_t v0 = (int32_t)r0[k] - q->rzp, v1 = (int32_t)r1[k] - q->rzp;
    a00 += u0 * v0;
    a01 += u0 * v1;
    a10 += u1 * v0;
    a11 += u1 * v1;
  }
  acc[0] = a00;
  acc[1] = a01;
  acc[2] = a10;
  acc[3] = a11;
}

static inline int8_t tm_dsp_bmm_out(const tm_batch_matmul_params_t *p, int32_t acc) {
  return tm_dsp_requantize(acc, p->mult, p->shift, p->out_zp, -128, 127);
}

static void tm_dsp_bmm_matrix(const tm_batch_matmul_params_t *p, const tm_dsp_bmm_t *q, const int8_t *l,
                              const int8_t *r, int8_t *out) {
  const int32_t rows = p->rows, cols = p->cols, ls = p->lhs_row_stride, rs = p->rhs_col_stride;
  int32_t i = 0;
  for (; i + 2 <= rows; i += 2) {
    const int8_t *l0 = l + i * ls, *l1 = l0 + ls;
    int8_t *o0 = out + i * cols, *o1 = o0 + cols;
    int32_t j = 0;
    for (; j + 2 <= cols; j += 2) {
      int32_t acc[4];
      tm_dsp_bmm_block(q, l0, l1, r + j * rs, r + (j + 1) * rs, acc);
      o0[j] = tm_dsp_bmm_out(p, acc[0]);
      o0[j + 1] = tm_dsp_bmm_out(p, acc[1]);
      o1[j] = tm_dsp_bmm_out(p, acc[2]);
      o1[j + 1] = tm_dsp_bmm_out(p, acc[3]);
    }
    if (j < cols) {
      o0[j] = tm_dsp_bmm_out(p, tm_dsp_bmm_dot(q, l0, r + j * rs));
      o1[j] = tm_dsp_bmm_out(p, tm_dsp_bmm_dot(q, l1, r + j * rs));
    }
  }
  if (i < rows)
    for (int32_t j = 0; j < cols; ++j) out[i * cols + j] = tm_dsp_bmm_out(p, tm_dsp_bmm_dot(q, l + i * ls, r + j * rs));
}

void tm_batch_matmul_eval(const tm_batch_matmul_params_t *p, const int8_t *lhs, const int8_t *rhs, int8_t *out) {
  if (p->lhs_depth_stride != 1 || p->rhs_depth_stride != 1) {
    tm_ref_batch_matmul(p, lhs, rhs, out);
    return;
  }
  const tm_dsp_bmm_t q = {p->depth, p->lhs_zp, p->rhs_zp,
                          (int32_t)(((uint32_t)p->lhs_zp & 0xFFFFu) | ((uint32_t)p->lhs_zp << 16)),
                          (int32_t)(((uint32_t)p->rhs_zp & 0xFFFFu) | ((uint32_t)p->rhs_zp << 16))};
  const int32_t *d = p->batch_dims, *ls = p->lhs_batch_strides, *rs = p->rhs_batch_strides;
  for (int32_t b0 = 0; b0 < d[0]; ++b0)
    for (int32_t b1 = 0; b1 < d[1]; ++b1)
      for (int32_t b2 = 0; b2 < d[2]; ++b2) {
        tm_dsp_bmm_matrix(p, &q, lhs + b0 * ls[0] + b1 * ls[1] + b2 * ls[2], rhs + b0 * rs[0] + b1 * rs[1] + b2 * rs[2],
                          out);
        out += p->rows * p->cols;
      }
}
