// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE_CONV, int8, per-channel weights.
#ifndef FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_CONV_H_
#define FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_CONV_H_

#include <stdint.h>

typedef struct {
  int32_t in_h, in_w, in_c, out_h, out_w, out_c;  // NHWC, batch 1
  int32_t k_h, k_w, stride_h, stride_w;
  int32_t pad_top, pad_left;                      // output rows/columns cut before the first kept one
  int32_t in_zp, out_zp, act_min, act_max;
  const int8_t *weights;                          // [out_c][k_h][k_w][in_c]
  const int32_t *bias;                            // out_c (zeros when the model has none)
  const int32_t *mult, *shift;                    // per output channel
} tm_transpose_conv_params_t;

// out must not overlap in.
void tm_transpose_conv_eval(const tm_transpose_conv_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_TRANSPOSE_CONV_H_
