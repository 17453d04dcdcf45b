// SPDX-License-Identifier: Apache-2.0
// QUANTIZE (float -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float).
#ifndef FIRMWARE_RUNTIME_KERNELS_QUANTIZE_H_
#define FIRMWARE_RUNTIME_KERNELS_QUANTIZE_H_

#include <stdint.h>

typedef struct {
  int32_t count;
  float scale;                  // float <-> int8: the int8 side's scale
  int32_t in_zp, out_zp;
  int32_t mult, shift;          // int8 -> int8: in scale / out scale
} tm_quantize_params_t;

// out = clamp(round(in / scale) + out_zp), ties away from zero.
void tm_quantize_from_float(const tm_quantize_params_t *p, const float *in, int8_t *out);

// out = clamp(requantize(in - in_zp) + out_zp); out may alias in.
void tm_quantize_requantize(const tm_quantize_params_t *p, const int8_t *in, int8_t *out);

// out = scale * (in - in_zp), computed in double like the spec.
void tm_quantize_to_float(const tm_quantize_params_t *p, const int8_t *in, float *out);

// Whether tm_quantize_requantize's out may overwrite in: starting at least
// *lag bytes below it, a multiple of *unit bytes below (quantize_sizes.c,
// for the AOT generator).
int32_t tm_quantize_inplace_lag(int32_t *lag, int32_t *unit);

#endif  // FIRMWARE_RUNTIME_KERNELS_QUANTIZE_H_
