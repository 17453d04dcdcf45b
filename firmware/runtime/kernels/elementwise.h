// SPDX-License-Identifier: Apache-2.0
// ADD and MUL, int8, with 4-D broadcasting through per-input strides.
#ifndef FIRMWARE_RUNTIME_KERNELS_ELEMENTWISE_H_
#define FIRMWARE_RUNTIME_KERNELS_ELEMENTWISE_H_

#include <stdint.h>

typedef struct {
  int32_t dims[4];              // output shape, padded with leading 1s
  int32_t stride1[4];           // input 1 element strides per output dim (0: broadcast)
  int32_t stride2[4];
  int32_t count;                // output elements
  int32_t contiguous;           // 1 when both inputs have the output's shape
  int32_t in1_zp, in2_zp, out_zp;
  int32_t in1_mult, in1_shift;  // ADD: input rescales to a common scale (unused by MUL)
  int32_t in2_mult, in2_shift;
  int32_t left_shift;           // ADD: headroom bits before rescaling (20 for int8)
  int32_t out_mult, out_shift;
  int32_t act_min, act_max;
  // ADD, same shapes: per int8 code q (index q + 128), 2 * that input's
  // rescaled value; 0 when not generated (the output shift is then not a
  // right shift in [1, 22] or the layer is small). Portable kernels ignore them.
  const int32_t *table1, *table2;
} tm_elementwise_params_t;

// out = in1 + in2 in real values; out may alias in1 or in2 exactly.
void tm_elementwise_add(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out);

// out = in1 * in2 in real values; out may alias in1 or in2 exactly.
void tm_elementwise_mul(const tm_elementwise_params_t *p, const int8_t *in1, const int8_t *in2, int8_t *out);

// Whether out may overwrite in1 or in2: starting at least *lag bytes below
// it, a multiple of *unit bytes below (elementwise_sizes.c, for the AOT
// generator). Returns 0 when never.
int32_t tm_elementwise_inplace_lag(int32_t contiguous, int32_t *lag, int32_t *unit);

#endif  // FIRMWARE_RUNTIME_KERNELS_ELEMENTWISE_H_
