// SPDX-License-Identifier: Apache-2.0
// Portable QUANTIZE / DEQUANTIZE.
#include "kernels/quantize.h"

#include "reference/quantize.h"

void tm_quantize_from_float(const tm_quantize_params_t *p, const float *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) out[i] = tm_ref_quantize_point(p, in[i]);
}

void tm_quantize_requantize(const tm_quantize_params_t *p, const int8_t *in, int8_t *out) {
  for (int32_t i = 0; i < p->count; ++i) out[i] = tm_ref_requantize_point(p, in[i]);
}

void tm_quantize_to_float(const tm_quantize_params_t *p, const int8_t *in, float *out) {
  for (int32_t i = 0; i < p->count; ++i) out[i] = tm_ref_dequantize_point(p, in[i]);
}
