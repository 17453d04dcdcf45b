// SPDX-License-Identifier: Apache-2.0
// BATCH_MATMUL of int8 tensors (attention-style products of two computed tensors, small sizes).
#ifndef FIRMWARE_RUNTIME_KERNELS_BATCH_MATMUL_H_
#define FIRMWARE_RUNTIME_KERNELS_BATCH_MATMUL_H_

#include <stdint.h>

typedef struct {
  int32_t batch_dims[3];        // the output's batch shape (broadcast), padded with leading 1s
  int32_t lhs_batch_strides[3]; // per batch dim: lhs elements per step, 0 where lhs broadcasts
  int32_t rhs_batch_strides[3];
  int32_t rows, cols, depth;    // the output matrix is rows x cols; depth terms per output
  int32_t lhs_row_stride, lhs_depth_stride;   // lhs element (row, k); adj_x swaps the two
  int32_t rhs_depth_stride, rhs_col_stride;   // rhs element (k, col); adj_y swaps the two
  int32_t lhs_zp, rhs_zp, out_zp;
  int32_t mult, shift;          // lhs scale * rhs scale / out scale
} tm_batch_matmul_params_t;

// out[b][r][c] = clamp(out_zp + requantize(sum_k (lhs[b][r][k] - lhs_zp) * (rhs[b][k][c] - rhs_zp))); out must
// not alias an input.
void tm_batch_matmul_eval(const tm_batch_matmul_params_t *p, const int8_t *lhs, const int8_t *rhs, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_BATCH_MATMUL_H_
