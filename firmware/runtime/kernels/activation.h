// SPDX-License-Identifier: Apache-2.0
// SOFTMAX, LOGISTIC and TANH, int8 in and out, in the spec's fixed point.
#ifndef FIRMWARE_RUNTIME_KERNELS_ACTIVATION_H_
#define FIRMWARE_RUNTIME_KERNELS_ACTIVATION_H_

#include <stdint.h>

typedef struct {
  int32_t rows, depth;          // softmax runs over each row of `depth` values
  int32_t beta_mult;            // beta * input scale, as Q31 multiplier ...
  int32_t beta_left_shift;      // ... and left shift, into Q5
  int32_t diff_min;             // differences below this contribute exp = 0
} tm_softmax_params_t;

typedef struct {
  int32_t count;
  int32_t in_zp;
  int32_t range_radius;         // |x - zp| at or beyond this saturates
  int32_t in_mult, in_shift;    // input scale into Q4
} tm_sigmoid_params_t;

// Softmax per row; output scale 1/256, zero point -128. out may alias in.
void tm_activation_softmax(const tm_softmax_params_t *p, const int8_t *in, int8_t *out);

// 1 / (1 + exp(-x)); output scale 1/256, zero point -128. out may alias in.
void tm_activation_logistic(const tm_sigmoid_params_t *p, const int8_t *in, int8_t *out);

// tanh(x); output scale 1/128, zero point 0. out may alias in.
void tm_activation_tanh(const tm_sigmoid_params_t *p, const int8_t *in, int8_t *out);

// Whether out may overwrite in: starting at least *lag bytes below it, a
// multiple of *unit bytes below (activation_sizes.c, for the AOT generator).
int32_t tm_activation_inplace_lag(int32_t *lag, int32_t *unit);

#endif  // FIRMWARE_RUNTIME_KERNELS_ACTIVATION_H_
