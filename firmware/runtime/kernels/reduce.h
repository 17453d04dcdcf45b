// SPDX-License-Identifier: Apache-2.0
// MEAN over any subset of up to 4 dimensions, int8.
#ifndef FIRMWARE_RUNTIME_KERNELS_REDUCE_H_
#define FIRMWARE_RUNTIME_KERNELS_REDUCE_H_

#include <stdint.h>

typedef struct {
  int32_t dims[4];              // input shape, padded with leading 1s
  int32_t reduced[4];           // 1 for each dimension averaged over
  int32_t count;                // input elements per output element
  int32_t in_zp, out_zp;
  int32_t mult, shift;          // in scale / (out scale * count), with the count folded in
} tm_reduce_params_t;

// out = mean of in over the reduced dimensions; outputs in the order of the
// kept dimensions.
void tm_reduce_mean(const tm_reduce_params_t *p, const int8_t *in, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_REDUCE_H_
