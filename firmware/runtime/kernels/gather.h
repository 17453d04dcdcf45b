// SPDX-License-Identifier: Apache-2.0
// GATHER of int8 rows by int32 indices (embeddings, index_select): data movement, no arithmetic.
#ifndef FIRMWARE_RUNTIME_KERNELS_GATHER_H_
#define FIRMWARE_RUNTIME_KERNELS_GATHER_H_

#include <stdint.h>

typedef struct {
  int32_t batches;              // product of the batch dims (shared by the table and the indices)
  int32_t outer;                // product of the table's dims between the batch dims and the axis
  int32_t coords;               // indices per batch
  int32_t axis_size;            // table entries along the axis
  int32_t inner;                // bytes per entry (product of the dims after the axis)
  int32_t checked;              // 1: the indices are constants checked at generation time, so never clamped
} tm_gather_params_t;

// out[b][o][k] = table[b][o][idx[b][k]]. An index computed at run time outside [0, axis_size) is clamped into it,
// so a bad index reads a wrong row instead of memory outside the table (TFLM leaves that case undefined).
void tm_gather_eval(const tm_gather_params_t *p, const int8_t *table, const int32_t *idx, int8_t *out);

#endif  // FIRMWARE_RUNTIME_KERNELS_GATHER_H_
