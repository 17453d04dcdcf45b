// SPDX-License-Identifier: Apache-2.0
// Field statistics of the inferences the harness serves, in fixed memory
// (docs/monitoring.md). Updated once per served inference, from the pristine
// input and the raw output, after tm_model_invoke: outputs never change.
// `stats%` prints them as m-stats-...-[...] lines, `stats reset%` clears them
// (the commands and the lines' bodies: toolchain/harness_protocol.py). The
// `m-stats-` prefix keeps the MLPerf Tiny runner from reading them.
// Build defines: TM_STATS (0 turns statistics off; `stats%` then answers an
// error), TM_STATS_CHANNELS (input channels, innermost axis),
// TM_STATS_CLASSES (per-class counters; a larger top-1 index counts in the
// last), TM_STATS_LOW_CONFIDENCE (float threshold).
#ifndef FIRMWARE_HARNESS_TM_STATS_H_
#define FIRMWARE_HARNESS_TM_STATS_H_

#ifndef TM_STATS
#define TM_STATS 1
#endif

// Records one served inference: `input` holds the model's input bytes as
// loaded, `output` its raw output elements.
#if TM_STATS
void tm_stats_update(const void *input, const void *output);
#else
static inline void tm_stats_update(const void *input, const void *output) {
  (void)input;
  (void)output;
}
#endif

// Prints the m-stats-... lines (an e-[...] line when TM_STATS is 0).
void tm_stats_reply(void);

// Serve `stats%` (an error when `args` is not empty) and `stats reset%`.
void tm_stats_command(const char *args);
void tm_stats_reset_command(const char *args);

// Clears every counter and sum.
void tm_stats_reset(void);

#endif  // FIRMWARE_HARNESS_TM_STATS_H_
