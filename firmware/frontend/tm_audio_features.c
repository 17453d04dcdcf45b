// SPDX-License-Identifier: Apache-2.0
// tm_model.h over the audio front-end alone: raw int16 PCM in, the int8
// features out (frames x bands, scale 1, zero point 0). Built by tests to
// compare device features with the host's, and to measure the front-end.
#include <stddef.h>
#include <stdint.h>

#include "tm_audio_config.h"
#include "tm_frontend.h"
#include "tm_model.h"

static const char *const tm_audio_layer_names[1] = {"FRONTEND"};

static const tm_model_info_t tm_audio_info = {
    .name = TM_AUDIO_NAME,
    .hash = TM_AUDIO_HASH,
    .runtime = "frontend",
    .input_type = TM_DTYPE_INT16,
    .input_bytes = TM_AUDIO_SAMPLES * sizeof(int16_t),
    .input_scale = 1.0f / 32768.0f,
    .input_zero_point = 0,
    .output_type = TM_DTYPE_INT8,
    .output_count = TM_AUDIO_FRAMES * TM_AUDIO_BANDS,
    .output_scale = 1.0f,
    .output_zero_point = 0,
    .arena_bytes = 0,
    .layer_count = 1,
    .layer_names = tm_audio_layer_names,
};

const tm_model_info_t *tm_model_info(void) { return &tm_audio_info; }

int tm_model_init(void) { return 0; }

int tm_model_invoke(const void *input, void *output) {
  tm_frontend_clip((const int16_t *)input, TM_AUDIO_SAMPLES, (int8_t *)output);
  tm_profile_layer_done(0);
  return 0;
}
