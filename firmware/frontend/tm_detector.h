// SPDX-License-Identifier: Apache-2.0
// Streaming keyword detection on the device. PCM arrives in pieces of any
// length; every hop completes one front-end frame, which goes into a rolling
// window of one clip's frames. Once the window is full the network runs every
// `every_hops` hops; its int8 outputs, minus their zero point, are summed per
// class over the last `average` inferences, and the best keyword class fires
// when its sum reaches `threshold`, unless a detection came less than
// `suppress_hops` hops before. All integer, so the host's replay of the same
// outputs (toolchain.bench.stream) makes the same decisions.
// A microphone driver calls tm_detector_feed with its buffers; the harness's
// `stream` command feeds it host audio (tm_stream_command.c).
#ifndef FIRMWARE_FRONTEND_TM_DETECTOR_H_
#define FIRMWARE_FRONTEND_TM_DETECTOR_H_

#include <stddef.h>
#include <stdint.h>

#include "tm_protocol.h"  // TM_DETECTOR_MAX_AVERAGE, TM_DETECTOR_MAX_CLASSES (the keyword mask is one protocol number)

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint32_t every_hops;
  uint32_t average;
  int32_t threshold;       // on the sum over `average` inferences of (output - zero point)
  uint32_t suppress_hops;
  uint32_t keyword_mask;   // bit c set: class c may fire ("unknown" and "silence" may not)
} tm_detector_config_t;

typedef struct {
  uint32_t frame;  // index of the newest frame in the window when it fired, from 0 at tm_detector_begin
  int32_t label;
  int32_t score;   // the class's sum
} tm_detection_t;

typedef struct {
  uint32_t frames;          // frames made since tm_detector_begin
  uint32_t inferences;      // network runs since tm_detector_begin
  uint32_t frontend_ticks;  // since the last tm_detector_reset_counters
  uint32_t network_ticks;
  uint32_t outputs_a, outputs_b;  // running Fletcher-16 of every output byte, same reset
} tm_detector_stats_t;

typedef void (*tm_detector_hit_fn)(const tm_detection_t *hit, void *ctx);

// Starts over with `cfg`; NULL when it is usable, else why not.
const char *tm_detector_begin(const tm_detector_config_t *cfg);

// Feeds `n` samples; `hit` is called for each detection. 0, or the network's non-zero status.
int tm_detector_feed(const int16_t *pcm, size_t n, tm_detector_hit_fn hit, void *ctx);

const tm_detector_stats_t *tm_detector_stats(void);
void tm_detector_reset_counters(void);

// The audio model wrapper's network over a window held as a ring of frames
// (front-end int8, oldest at `oldest`): int8 outputs into `output`.
int tm_audio_classify(const int8_t *ring, size_t oldest, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_FRONTEND_TM_DETECTOR_H_
