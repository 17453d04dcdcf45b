// SPDX-License-Identifier: Apache-2.0
// Test-only tm_model.h implementation: output[k] = saturated sum of the input
// bytes i with i % 10 == k. Lets the device loop be tested without a compiler
// for real models; never used by `toolchain build`.
#include <stdint.h>

#include "tm_model.h"

#ifndef TM_FAKE_HASH
#define TM_FAKE_HASH "0123456789abcdef"
#endif
#define TM_FAKE_INPUT_BYTES 64
#define TM_FAKE_OUTPUTS 10

static const char *const tm_fake_layers[] = {"SUM"};
static const tm_model_info_t tm_fake_info = {
    .name = "fake",
    .hash = TM_FAKE_HASH,
    .runtime = "fake",
    .input_type = TM_DTYPE_INT8,
    .input_bytes = TM_FAKE_INPUT_BYTES,
    .input_scale = 1.0f,
    .input_zero_point = 0,
    .output_type = TM_DTYPE_INT8,
    .output_count = TM_FAKE_OUTPUTS,
    .output_scale = 0.5f,
    .output_zero_point = -3,
    .arena_bytes = 0,
    .layer_count = 1,
    .layer_names = tm_fake_layers,
};

const tm_model_info_t *tm_model_info(void) {
  return &tm_fake_info;
}

int tm_model_init(void) {
  return 0;
}

int tm_model_invoke(const void *input, void *output) {
  const int8_t *in = (const int8_t *)input;
  int8_t *out = (int8_t *)output;
  for (int k = 0; k < TM_FAKE_OUTPUTS; k++) {
    int32_t acc = 0;
    for (int i = k; i < TM_FAKE_INPUT_BYTES; i += TM_FAKE_OUTPUTS) acc += in[i];
    out[k] = (int8_t)(acc > 127 ? 127 : acc < -128 ? -128 : acc);
  }
#ifdef TM_PROFILE
  tm_profile_layer_done(0);
#endif
  return 0;
}
