// SPDX-License-Identifier: Apache-2.0
// Field statistics (tm_stats.h). Fixed memory, integer moments:
// per channel the exact sums of x and x^2 over every served input value.
// For 8-bit inputs of at most 65536 bytes one inference adds at most
// 2^16 * 2^14 = 2^30 to a sum of squares, so 1e9 (< 2^30) inferences stay
// below 2^60: no overflow in 64 bits. 16-bit inputs are summed as x >> 8,
// which keeps the same bound. Counters are 32-bit (1e9 < 2^32).
#include "tm_stats.h"

#include <string.h>

#include "tm_harness_io.h"
#include "tm_model.h"
#include "tm_port.h"
#include "tm_protocol.h"

#ifndef TM_STATS_CHANNELS
#define TM_STATS_CHANNELS 1
#endif
#ifndef TM_STATS_CLASSES
#define TM_STATS_CLASSES 16
#endif
#ifndef TM_STATS_LOW_CONFIDENCE
#define TM_STATS_LOW_CONFIDENCE 0.5f
#endif

#if TM_STATS

typedef struct {
  uint32_t count;                         // inferences served
  uint32_t classes[TM_STATS_CLASSES];     // top-1 predictions per class
  uint32_t confidence[TM_STATS_BINS];     // top-1 confidence histogram over [0, 1]
  uint32_t low;                           // top-1 confidence below TM_STATS_LOW_CONFIDENCE
  uint32_t cost;                          // ticks of the last update
  int64_t sum[TM_STATS_CHANNELS];         // per channel: sum of x
  uint64_t sumsq[TM_STATS_CHANNELS];      // per channel: sum of x^2
} tm_stats_t;

_Static_assert(sizeof(tm_stats_t) <= 1024, "field statistics must fit in 1 KB of RAM");

static tm_stats_t tm_stats;

// Raw value of output element i as an integer (float outputs: never called).
static int32_t tm_stats_raw(const tm_model_info_t *m, const void *output, size_t i) {
  switch (m->output_type) {
    case TM_DTYPE_INT8: return ((const int8_t *)output)[i];
    case TM_DTYPE_UINT8: return ((const uint8_t *)output)[i];
    default: return ((const int16_t *)output)[i];
  }
}

// Top-1 index (first maximum, like numpy's argmax) and its dequantized value.
static size_t tm_stats_top1(const tm_model_info_t *m, const void *output, float *confidence) {
  size_t best = 0;
  if (m->output_type == TM_DTYPE_FLOAT32) {
    const float *o = (const float *)output;
    for (size_t i = 1; i < m->output_count; i++) {
      if (o[i] > o[best]) best = i;
    }
    *confidence = o[best];
    return best;
  }
  int32_t top = tm_stats_raw(m, output, 0);
  for (size_t i = 1; i < m->output_count; i++) {
    int32_t v = tm_stats_raw(m, output, i);
    if (v > top) {
      top = v;
      best = i;
    }
  }
  // same float32 operations, in the same order, as the host's twin (toolchain/export/field_stats.py)
  *confidence = (float)(top - m->output_zero_point) * m->output_scale;
  return best;
}

// Raw input element i, as summed: 16-bit values keep their top 8 bits.
static int32_t tm_stats_input(const tm_model_info_t *m, const void *input, size_t i) {
  switch (m->input_type) {
    case TM_DTYPE_INT8: return ((const int8_t *)input)[i];
    case TM_DTYPE_UINT8: return ((const uint8_t *)input)[i];
    default: return ((const int16_t *)input)[i] >> 8;
  }
}

// Per-channel sums of one input; per-inference partial sums fit in 32 bits.
// Channel by channel, so each pass keeps its two sums in registers; int8,
// the usual input, has its own loop (about 5 instructions a value).
static void tm_stats_moments(const tm_model_info_t *m, const void *input) {
  size_t n = m->input_type == TM_DTYPE_INT16 ? m->input_bytes / 2 : m->input_bytes;
  n -= n % TM_STATS_CHANNELS;
  for (size_t c = 0; c < TM_STATS_CHANNELS; c++) {
    int32_t s = 0;
    uint32_t q = 0;
    if (m->input_type == TM_DTYPE_INT8) {
      const int8_t *x = (const int8_t *)input;
      for (size_t i = c; i < n; i += TM_STATS_CHANNELS) {
        int32_t v = x[i];
        s += v;
        q += (uint32_t)(v * v);
      }
    } else {
      for (size_t i = c; i < n; i += TM_STATS_CHANNELS) {
        int32_t v = tm_stats_input(m, input, i);
        s += v;
        q += (uint32_t)(v * v);
      }
    }
    tm_stats.sum[c] += s;
    tm_stats.sumsq[c] += q;
  }
}

void tm_stats_update(const void *input, const void *output) {
  uint32_t t0 = tm_port_ticks();
  const tm_model_info_t *m = tm_model_info();
  float confidence;
  size_t top = tm_stats_top1(m, output, &confidence);
  tm_stats.count++;
  tm_stats.classes[top < TM_STATS_CLASSES ? top : TM_STATS_CLASSES - 1]++;
  float scaled = confidence * (float)TM_STATS_BINS;  // exact: a power of two
  int bin = scaled <= 0.0f ? 0 : scaled >= (float)(TM_STATS_BINS - 1) ? TM_STATS_BINS - 1 : (int)scaled;
  tm_stats.confidence[bin]++;
  if (confidence < TM_STATS_LOW_CONFIDENCE) tm_stats.low++;
  if (m->input_type != TM_DTYPE_FLOAT32) tm_stats_moments(m, input);
  tm_stats.cost = tm_port_ticks() - t0;
}

void tm_stats_reset(void) {
  memset(&tm_stats, 0, sizeof tm_stats);
}

static void tm_stats_put_u64(uint64_t v) {
  char digits[21];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) tm_port_putc(digits[--n]);
}

void tm_stats_reply(void) {
  tm_harness_io_puts(TM_REPLY_STATS_CONFIG "[");
  tm_harness_io_put_u32(TM_STATS_CHANNELS);
  tm_port_putc(',');
  tm_harness_io_put_u32(TM_STATS_CLASSES);
  tm_port_putc(',');
  tm_harness_io_put_u32(TM_STATS_BINS);
  tm_port_putc(',');
  tm_harness_io_put_float(TM_STATS_LOW_CONFIDENCE);
  tm_harness_io_puts("]\n");
  tm_harness_io_list(TM_REPLY_STATS_COUNT, &tm_stats.count, 1);
  tm_harness_io_list(TM_REPLY_STATS_CLASSES, tm_stats.classes, TM_STATS_CLASSES);
  tm_harness_io_list(TM_REPLY_STATS_CONF, tm_stats.confidence, TM_STATS_BINS);
  tm_harness_io_list(TM_REPLY_STATS_LOW, &tm_stats.low, 1);
  tm_harness_io_puts(TM_REPLY_STATS_SUM "[");
  for (size_t c = 0; c < TM_STATS_CHANNELS; c++) {
    if (c) tm_port_putc(',');
    if (tm_stats.sum[c] < 0) tm_port_putc('-');
    tm_stats_put_u64(tm_stats.sum[c] < 0 ? (uint64_t)0 - (uint64_t)tm_stats.sum[c] : (uint64_t)tm_stats.sum[c]);
  }
  tm_harness_io_puts("]\n" TM_REPLY_STATS_SUMSQ "[");
  for (size_t c = 0; c < TM_STATS_CHANNELS; c++) {
    if (c) tm_port_putc(',');
    tm_stats_put_u64(tm_stats.sumsq[c]);
  }
  tm_harness_io_puts("]\n");
  tm_harness_io_list(TM_REPLY_STATS_COST, &tm_stats.cost, 1);
}

void tm_stats_command(const char *args) {
  if (!*args) {
    tm_stats_reply();
  } else {
    tm_harness_io_line(TM_REPLY_ERROR, "stats takes no argument but reset: " TM_USAGE_STATS " or " TM_USAGE_STATS_RESET);
  }
}

void tm_stats_reset_command(const char *args) {
  (void)args;
  tm_stats_reset();
  tm_harness_io_line(TM_REPLY_STATS_RESET, "0");
}

#else

void tm_stats_reset(void) {}

void tm_stats_reply(void) {
  tm_harness_io_line(TM_REPLY_ERROR, "statistics are off in this firmware (built with TM_STATS=0)");
}

void tm_stats_command(const char *args) {
  (void)args;
  tm_stats_reply();
}

void tm_stats_reset_command(const char *args) {
  (void)args;
  tm_stats_reply();
}

#endif
