// SPDX-License-Identifier: Apache-2.0
// Reference int16 MEAN: integer sum over the reduced dimensions, then one
// requantization whose multiplier already divides by the element count.
#ifndef FIRMWARE_RUNTIME_REFERENCE_REDUCE_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_REDUCE_16X8_H_

#include "kernels/reduce_16x8.h"
#include "reference/fixedpoint.h"
#include "reference/reduce.h"

static inline int16_t tm_ref_reduce_16x8_store(const tm_reduce_params_t *p, int32_t sum) {
  const int32_t v = tm_fp_requantize(sum, p->mult, p->shift);
  return (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
}

TM_REF_REDUCE_MEAN_DEFINE(tm_ref_reduce_16x8_mean, int16_t, 0, tm_ref_reduce_16x8_store)

#endif  // FIRMWARE_RUNTIME_REFERENCE_REDUCE_16X8_H_
