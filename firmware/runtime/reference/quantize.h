// SPDX-License-Identifier: Apache-2.0
// Reference QUANTIZE / DEQUANTIZE element functions.
#ifndef FIRMWARE_RUNTIME_REFERENCE_QUANTIZE_H_
#define FIRMWARE_RUNTIME_REFERENCE_QUANTIZE_H_

#include <math.h>

#include "kernels/quantize.h"
#include "reference/requantize.h"

static inline int8_t tm_ref_quantize_point(const tm_quantize_params_t *p, float x) {
  const float q = roundf(x / p->scale);
  // Clamp in float first: the int32 conversion of a huge value is undefined.
  const float c = q < -1000.0f ? -1000.0f : (q > 1000.0f ? 1000.0f : q);
  int32_t v = (int32_t)c + p->out_zp;
  v = v < -128 ? -128 : (v > 127 ? 127 : v);
  return (int8_t)v;
}

static inline int8_t tm_ref_requantize_point(const tm_quantize_params_t *p, int8_t x) {
  return tm_ref_requantize(x - p->in_zp, p->mult, p->shift, p->out_zp, -128, 127);
}

static inline float tm_ref_dequantize_point(const tm_quantize_params_t *p, int8_t x) {
  return (float)((double)p->scale * (double)(x - p->in_zp));
}

#endif  // FIRMWARE_RUNTIME_REFERENCE_QUANTIZE_H_
