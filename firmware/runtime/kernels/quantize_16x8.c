// SPDX-License-Identifier: Apache-2.0
// Portable QUANTIZE / DEQUANTIZE on int16: one element at a time.
#include "kernels/quantize_16x8.h"

#include <math.h>

#include "reference/fixedpoint.h"

static int16_t clamp16(int32_t v) { return (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)); }

void tm_quantize_16x8_from_float(const tm_quantize_params_t *p, const float *in, int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) {
    const float q = roundf(in[i] / p->scale);
    // Clamp in float first: the int32 conversion of a huge value is undefined.
    const float c = q < -100000.0f ? -100000.0f : (q > 100000.0f ? 100000.0f : q);
    out[i] = clamp16((int32_t)c + p->out_zp);
  }
}

void tm_quantize_16x8_requantize(const tm_quantize_params_t *p, const int16_t *in, int16_t *out) {
  for (int32_t i = 0; i < p->count; ++i) out[i] = clamp16(tm_fp_requantize(in[i] - p->in_zp, p->mult, p->shift) + p->out_zp);
}

void tm_quantize_16x8_to_float(const tm_quantize_params_t *p, const int16_t *in, float *out) {
  for (int32_t i = 0; i < p->count; ++i) out[i] = (float)((double)p->scale * (double)(in[i] - p->in_zp));
}
