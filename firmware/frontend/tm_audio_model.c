// SPDX-License-Identifier: Apache-2.0
// tm_model.h over the audio front-end and the network (tm_audio_net.h): the input
// is one clip of raw int16 PCM, the output the network's. The front-end's
// int8 features go through a 256-entry table into the network's own input
// type and quantization, int8 or int16 for a 16x8 network (the host makes the
// table with the arithmetic it used for the training features, so the network
// sees the same input on host and device).
// The features are written straight into the network's input buffer in its
// arena (tm_model.h: input_buffer), so the wrapper adds no RAM of its own.
// The front-end reports itself as profile layer 0, the network as layer 1
// (or its own layers 1..N when built with -DTM_PROFILE).
#include <stddef.h>
#include <stdint.h>

#include "tm_audio_config.h"
#include "tm_audio_net.h"
#include "tm_detector.h"
#include "tm_frontend.h"
#include "tm_model.h"

static tm_model_info_t tm_audio_info;
#ifdef TM_PROFILE
static const char *tm_audio_layer_names[1 + TM_AUDIO_NET_LAYERS];
#else
static const char *tm_audio_layer_names[2] = {"FRONTEND", "NETWORK"};
#endif

const tm_model_info_t *tm_model_info(void) {
  if (!tm_audio_info.name) {
    const tm_model_info_t *net = tm_audio_net_info();
    tm_audio_info = *net;
    tm_audio_info.input_type = TM_DTYPE_INT16;
    tm_audio_info.input_bytes = TM_AUDIO_SAMPLES * sizeof(int16_t);
    tm_audio_info.input_scale = 1.0f / 32768.0f;
    tm_audio_info.input_zero_point = 0;
    tm_audio_info.input_buffer = NULL;  // PCM never sits in the arena: the caller passes its own buffer
#ifdef TM_PROFILE
    tm_audio_layer_names[0] = "FRONTEND";
    for (int i = 0; i < net->layer_count; i++) tm_audio_layer_names[i + 1] = net->layer_names[i];
    tm_audio_info.layer_count = 1 + net->layer_count;
#else
    tm_audio_info.layer_count = 2;
#endif
    tm_audio_info.layer_names = tm_audio_layer_names;
  }
  return &tm_audio_info;
}

int tm_model_init(void) {
  tm_model_info();
  int status = tm_audio_net_init();
  tm_audio_info.arena_bytes = tm_audio_net_info()->arena_bytes;  // TFLM measures its arena at init
  return status;
}

int tm_audio_classify(const int8_t *ring, size_t oldest, int8_t *output) {
  tm_audio_input_t *features = tm_audio_net_info()->input_buffer;
  for (size_t f = 0; f < TM_AUDIO_FRAMES; f++) {
    const int8_t *frame = ring + (oldest + f) % TM_AUDIO_FRAMES * TM_AUDIO_BANDS;
    for (size_t b = 0; b < TM_AUDIO_BANDS; b++) *features++ = tm_audio_lut[frame[b] + 128];
  }
  return tm_audio_net_invoke(tm_audio_net_info()->input_buffer, output);
}

int tm_model_invoke(const void *input, void *output) {
  int8_t *raw = tm_audio_net_info()->input_buffer;
  tm_audio_input_t *features = tm_audio_net_info()->input_buffer;
  size_t n = tm_frontend_clip((const int16_t *)input, TM_AUDIO_SAMPLES, raw) * TM_AUDIO_BANDS;
  // in place, last first: int16 entry i overwrites features 2i and 2i+1, which (>= i) are already read
  for (size_t i = n; i-- > 0;) features[i] = tm_audio_lut[raw[i] + 128];
  tm_profile_layer_done(0);
  int status = tm_audio_net_invoke(features, output);
#ifndef TM_PROFILE
  tm_profile_layer_done(1);
#endif
  return status;
}
