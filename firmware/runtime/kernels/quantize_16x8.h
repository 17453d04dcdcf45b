// SPDX-License-Identifier: Apache-2.0
// QUANTIZE (float -> int16, int16 -> int16) and DEQUANTIZE (int16 -> float)
// for 16x8 models, with the int8 kernels' parameters (kernels/quantize.h).
#ifndef FIRMWARE_RUNTIME_KERNELS_QUANTIZE_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_QUANTIZE_16X8_H_

#include <stdint.h>

#include "kernels/quantize.h"

// out = clamp(round(in / scale) + out_zp), ties away from zero.
void tm_quantize_16x8_from_float(const tm_quantize_params_t *p, const float *in, int16_t *out);

// out = clamp(requantize(in - in_zp) + out_zp); out may alias in.
void tm_quantize_16x8_requantize(const tm_quantize_params_t *p, const int16_t *in, int16_t *out);

// out = scale * (in - in_zp), computed in double like the spec.
void tm_quantize_16x8_to_float(const tm_quantize_params_t *p, const int16_t *in, float *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_QUANTIZE_16X8_H_
