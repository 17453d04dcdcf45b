// SPDX-License-Identifier: Apache-2.0
// PRELU on int8: a learned slope per element of a broadcast alpha tensor (usually one per channel).
#ifndef FIRMWARE_RUNTIME_KERNELS_PRELU_H_
#define FIRMWARE_RUNTIME_KERNELS_PRELU_H_

#include <stdint.h>

typedef struct {
  int32_t dims[4];              // input (= output) shape, padded with leading 1s
  int32_t alpha_strides[4];     // per dim: alpha's element stride, 0 where alpha broadcasts
  int32_t in_zp, alpha_zp, out_zp;
  int32_t pos_mult, pos_shift;  // x >= in_zp: in scale / out scale
  int32_t neg_mult, neg_shift;  // x < in_zp: in scale * alpha scale / out scale, applied to (x - in_zp) * alpha
  const int8_t *table;          // per input code (index code + 128): the generation-time output
  int32_t table_all;            // 1: the table covers every code (one constant alpha); 0: only codes >= in_zp
} tm_prelu_params_t;

// out = clamp(out_zp + requantize(x, pos) or requantize(x * (alpha - alpha_zp), neg)), x = in - in_zp, read from
// the table where it covers the code; out may alias in.
void tm_prelu_eval(const tm_prelu_params_t *p, const int8_t *in, const int8_t *alpha, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_PRELU_H_
