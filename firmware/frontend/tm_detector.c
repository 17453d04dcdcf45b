// SPDX-License-Identifier: Apache-2.0
// Streaming keyword detection (see tm_detector.h for the contract).
#include "tm_detector.h"

#include <string.h>

#include "tm_audio_config.h"
#include "tm_frontend.h"
#include "tm_frontend_config.h"
#include "tm_model.h"
#include "tm_port.h"

#if TM_AUDIO_CLASSES > TM_DETECTOR_MAX_CLASSES
#define TM_DETECTOR_CLASSES TM_DETECTOR_MAX_CLASSES  // such a model is refused at tm_detector_begin
#else
#define TM_DETECTOR_CLASSES TM_AUDIO_CLASSES
#endif

static tm_detector_config_t tm_detector_cfg;
static int16_t tm_detector_window[TM_FRONTEND_WINDOW];
static size_t tm_detector_fill;  // samples of the next frame's window already in place
static int8_t tm_detector_ring[TM_AUDIO_FRAMES * TM_AUDIO_BANDS];
static int8_t tm_detector_output[TM_DETECTOR_CLASSES];
static int16_t tm_detector_posteriors[TM_DETECTOR_MAX_AVERAGE][TM_DETECTOR_CLASSES];
static int32_t tm_detector_sums[TM_DETECTOR_CLASSES];
static uint32_t tm_detector_last_hit;  // frame of the last detection
static int tm_detector_hit_yet;
static tm_detector_stats_t tm_detector_counters;

const char *tm_detector_begin(const tm_detector_config_t *cfg) {
  const tm_model_info_t *m = tm_model_info();
  if (m->output_type != TM_DTYPE_INT8) return "stream: the network's output is not int8";
  if (TM_AUDIO_CLASSES > TM_DETECTOR_MAX_CLASSES) return "stream: the network has more than 31 classes";
  if (!cfg->every_hops || !cfg->average || cfg->average > TM_DETECTOR_MAX_AVERAGE) {
    return "stream: every_hops must be >= 1 and average 1 to 16";
  }
  if (cfg->threshold <= 0) return "stream: the threshold must be positive";
  tm_detector_cfg = *cfg;
  tm_detector_fill = 0;
  memset(tm_detector_posteriors, 0, sizeof tm_detector_posteriors);
  memset(tm_detector_sums, 0, sizeof tm_detector_sums);
  tm_detector_hit_yet = 0;
  memset(&tm_detector_counters, 0, sizeof tm_detector_counters);
  return NULL;
}

const tm_detector_stats_t *tm_detector_stats(void) { return &tm_detector_counters; }

void tm_detector_reset_counters(void) {
  tm_detector_counters.frontend_ticks = tm_detector_counters.network_ticks = 0;
  tm_detector_counters.outputs_a = tm_detector_counters.outputs_b = 0;
}

// The newest inference's outputs replace the oldest in the sums; then the decision.
static void tm_detector_decide(uint32_t frame, tm_detector_hit_fn hit, void *ctx) {
  int32_t zp = tm_model_info()->output_zero_point;
  int16_t *slot = tm_detector_posteriors[tm_detector_counters.inferences % tm_detector_cfg.average];
  int best = -1;
  for (int c = 0; c < TM_DETECTOR_CLASSES; c++) {
    int16_t p = (int16_t)(tm_detector_output[c] - zp);
    tm_detector_sums[c] += p - slot[c];
    slot[c] = p;
    uint8_t byte = (uint8_t)tm_detector_output[c];
    tm_detector_counters.outputs_a = (tm_detector_counters.outputs_a + byte) % 255;
    tm_detector_counters.outputs_b = (tm_detector_counters.outputs_b + tm_detector_counters.outputs_a) % 255;
    // the first of equal sums wins, as numpy's argmax on the host
    if ((tm_detector_cfg.keyword_mask >> c & 1u) && (best < 0 || tm_detector_sums[c] > tm_detector_sums[best])) best = c;
  }
  tm_detector_counters.inferences++;
  if (best < 0 || tm_detector_sums[best] < tm_detector_cfg.threshold) return;
  if (tm_detector_hit_yet && frame - tm_detector_last_hit < tm_detector_cfg.suppress_hops) return;
  tm_detector_hit_yet = 1;
  tm_detector_last_hit = frame;
  tm_detection_t d = {frame, best, tm_detector_sums[best]};
  hit(&d, ctx);
}

// One complete window: its frame into the ring, and the network when it is due.
static int tm_detector_frame(tm_detector_hit_fn hit, void *ctx) {
  uint32_t frame = tm_detector_counters.frames++;
  size_t slot = frame % TM_AUDIO_FRAMES;
  uint32_t t0 = tm_port_ticks();
  tm_frontend_frame(tm_detector_window, tm_detector_ring + slot * TM_AUDIO_BANDS);
  uint32_t t1 = tm_port_ticks();
  tm_detector_counters.frontend_ticks += t1 - t0;
  if (frame + 1 < TM_AUDIO_FRAMES || (frame + 1 - TM_AUDIO_FRAMES) % tm_detector_cfg.every_hops) return 0;
  int status = tm_audio_classify(tm_detector_ring, (slot + 1) % TM_AUDIO_FRAMES, tm_detector_output);
  tm_detector_counters.network_ticks += tm_port_ticks() - t1;
  if (status) return status;
  tm_detector_decide(frame, hit, ctx);
  return 0;
}

int tm_detector_feed(const int16_t *pcm, size_t n, tm_detector_hit_fn hit, void *ctx) {
  while (n) {
    size_t k = TM_FRONTEND_WINDOW - tm_detector_fill;
    if (k > n) k = n;
    memcpy(tm_detector_window + tm_detector_fill, pcm, k * sizeof *pcm);
    tm_detector_fill += k;
    pcm += k;
    n -= k;
    if (tm_detector_fill < TM_FRONTEND_WINDOW) break;
    int status = tm_detector_frame(hit, ctx);
    if (status) return status;
    // the next window starts one hop later (the recipe's hop is at most its window): keep the overlap
    memmove(tm_detector_window, tm_detector_window + TM_FRONTEND_HOP, (TM_FRONTEND_WINDOW - TM_FRONTEND_HOP) * sizeof *pcm);
    tm_detector_fill = TM_FRONTEND_WINDOW - TM_FRONTEND_HOP;
  }
  return 0;
}
