// SPDX-License-Identifier: Apache-2.0
// The harness's `stream begin E A T S K%` and `stream%` commands over
// tm_detector (linked into audio model firmware only; other firmware answers
// that it takes no raw audio). `stream%` feeds the input loaded by
// `db load`/`db` (int16 PCM). The commands and their m-stream-begin-,
// m-detect- and m-stream- lines: toolchain/harness_protocol.py.
#include <stddef.h>
#include <stdint.h>

#include "tm_audio_config.h"
#include "tm_detector.h"
#include "tm_frontend_config.h"
#include "tm_harness_io.h"
#include "tm_port.h"
#include "tm_protocol.h"

static int tm_stream_begun;
static int tm_stream_hits;  // detections printed in this piece

static void tm_stream_hit(const tm_detection_t *d, void *ctx) {
  (void)ctx;
  if (tm_stream_hits++) tm_port_putc(';');
  tm_harness_io_put_u32(d->frame);
  tm_port_putc(',');
  tm_harness_io_put_i32(d->label);
  tm_port_putc(',');
  tm_harness_io_put_i32(d->score);
}

static void tm_stream_begin(const char *args) {
  int32_t v[5];
  for (int i = 0; i < 5; i++) {
    v[i] = tm_harness_io_parse_u31(&args);
    if (v[i] < 0 || *args != (i < 4 ? ' ' : '\0')) {
      tm_harness_io_line(TM_REPLY_ERROR, "stream begin needs five numbers: " TM_USAGE_STREAM_BEGIN);
      return;
    }
    if (i < 4) args++;
  }
  tm_detector_config_t cfg = {(uint32_t)v[0], (uint32_t)v[1], v[2], (uint32_t)v[3], (uint32_t)v[4]};
  const char *why = tm_detector_begin(&cfg);
  tm_stream_begun = !why;
  if (why) {
    tm_harness_io_line(TM_REPLY_ERROR, why);
    return;
  }
  uint32_t shape[4] = {TM_AUDIO_FRAMES, TM_AUDIO_BANDS, TM_FRONTEND_WINDOW, TM_FRONTEND_HOP};
  tm_harness_io_list(TM_REPLY_STREAM_BEGIN, shape, 4);
}

void tm_harness_stream(const char *begin, const uint8_t *input, size_t bytes) {
  if (begin) {
    tm_stream_begin(begin);
    return;
  }
  if (!tm_stream_begun) {
    tm_harness_io_line(TM_REPLY_ERROR, "stream: send " TM_USAGE_STREAM_BEGIN " first");
    return;
  }
  if (bytes % 2) {
    tm_harness_io_line(TM_REPLY_ERROR, "stream: the input is int16 PCM, an even number of bytes");
    return;
  }
  tm_detector_reset_counters();
  tm_stream_hits = 0;
  tm_harness_io_puts(TM_REPLY_DETECT "[");
  int status = tm_detector_feed((const int16_t *)input, bytes / 2, tm_stream_hit, NULL);
  tm_harness_io_puts("]\n");
  if (status) {
    tm_stream_begun = 0;
    tm_harness_io_line(TM_REPLY_ERROR, "stream: the network failed; send stream begin again");
    return;
  }
  const tm_detector_stats_t *s = tm_detector_stats();
  uint32_t v[6] = {s->frames, s->inferences, s->frontend_ticks, s->network_ticks,
                   tm_harness_io_fletcher16(input, bytes), s->outputs_b << 8 | s->outputs_a};
  tm_harness_io_list(TM_REPLY_STREAM, v, 6);
}
