// SPDX-License-Identifier: Apache-2.0
// Data movement without arithmetic: PAD, CONCATENATION, copies.
#ifndef FIRMWARE_RUNTIME_KERNELS_LAYOUT_H_
#define FIRMWARE_RUNTIME_KERNELS_LAYOUT_H_

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int32_t in_dims[4];           // input shape, padded with leading 1s
  int32_t before[4];            // elements added before each dim
  int32_t after[4];             // elements added after each dim
  int32_t elem_bytes;           // 1 for int8, 4 for int32/float
  uint8_t value[4];             // the pad element's bytes (the zero point for int8)
} tm_layout_pad_params_t;

typedef struct {
  int32_t outer;                // product of the dims before the axis
  int32_t count;                // number of inputs
  const int32_t *chunk_bytes;   // per input: bytes from the axis on, per outer step
} tm_layout_concat_params_t;

// out = in surrounded by `value`.
void tm_layout_pad(const tm_layout_pad_params_t *p, const void *in, void *out);

// out = inputs joined along the axis (all share one quantization).
void tm_layout_concat(const tm_layout_concat_params_t *p, const void *const *in, void *out);

// out = in, bytes; regions may overlap.
void tm_layout_copy(const void *in, void *out, size_t bytes);

#endif  // FIRMWARE_RUNTIME_KERNELS_LAYOUT_H_
