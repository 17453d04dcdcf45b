// SPDX-License-Identifier: Apache-2.0
// The one interface between a model runtime (generated AOT code or the TFLM
// wrapper) and everything else on the device (harness, ports). The harness
// never knows which runtime is linked.
#ifndef FIRMWARE_RUNTIME_TM_MODEL_H_
#define FIRMWARE_RUNTIME_TM_MODEL_H_

#include <stddef.h>
#include <stdint.h>

#include "tm_dtype.h"  // tm_dtype_t, generated from toolchain/modelinfo.py's DTYPES

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char *name;        // model name (recipe name or .tflite stem)
  const char *hash;        // first 16 hex chars of the .tflite's sha256
  const char *runtime;     // "aot" or "tflm"
  tm_dtype_t input_type;
  size_t input_bytes;      // bytes the harness must load before an inference
  float input_scale;       // quantization of the input tensor (scale 0 when float)
  int32_t input_zero_point;
  tm_dtype_t output_type;
  size_t output_count;     // number of output elements
  float output_scale;      // used by the harness to dequantize results
  int32_t output_zero_point;
  size_t arena_bytes;      // planned (aot) or measured (tflm) activation memory, model input/output included
  int layer_count;         // entries in layer_names
  const char *const *layer_names;  // op name per layer, for per-layer profiles
  // Where the runtime keeps its input and output (inside the arena), or NULL.
  // tm_model_invoke copies `input` in and the result out to `output`; a caller
  // that writes the input at input_buffer and passes these two pointers skips
  // both copies (the input is then consumed: rewrite it before each invoke).
  void *input_buffer;
  const void *output_buffer;
} tm_model_info_t;

// Static description of the linked model.
const tm_model_info_t *tm_model_info(void);

// Prepare the runtime once (allocations, op resolution); 0 on success.
int tm_model_init(void);

// One inference from `input` (input_bytes, not modified) to `output`
// (output_count elements of output_type); 0 on success, non-zero
// runtime-specific error otherwise.
int tm_model_invoke(const void *input, void *output);

// Called by the runtime after layer `index` finishes when built with
// -DTM_PROFILE; the harness implements it (ticks per layer).
void tm_profile_layer_done(int index);

// Called by the runtime after layer `index` (the .tflite operator index) with
// its whole output, `bytes` long, in validation builds only (`toolchain
// validate`); the harness sends it to the host (firmware/harness/tm_validate.c).
void tm_validate_layer_done(int index, const void *output, size_t bytes);

// Called by the runtime in personalization builds (`toolchain personalize`)
// after the layer that makes the embedding (the int8 input of the model's last
// FULLY_CONNECTED layer, TM_HEAD_DIM values); firmware/personalize/ keeps it.
void tm_personalize_embedding(const int8_t *embedding);

// Called by the runtime in personalization builds with an int8 output, with
// that output (`count` values, quantized by `scale` and `zero_point`)
// before it leaves the model: once the head has learned, firmware/personalize/
// writes the head's probabilities there, so every caller (infer, stream, the
// field statistics) decides with the personalised head.
void tm_personalize_output(int8_t *output, size_t count, float scale, int32_t zero_point);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_RUNTIME_TM_MODEL_H_
