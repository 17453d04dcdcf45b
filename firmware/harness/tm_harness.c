// SPDX-License-Identifier: Apache-2.0
// Command loop of the device harness. A command is the text before `%`
// (CR/LF ignored); every reply ends with `m-ready`, errors are `e-[reason]`.
// The loaded input stays pristine: it is copied into a work buffer before
// every invoke (outside the timed region) because a runtime may reuse its
// input memory for activations.
#include "tm_harness.h"

#include <string.h>

#include "tm_harness_io.h"
#include "tm_model.h"
#include "tm_port.h"
#include "tm_stats.h"

#ifndef TM_HARNESS_INPUT_CAPACITY
#define TM_HARNESS_INPUT_CAPACITY 65536
#endif
#ifndef TM_HARNESS_OUTPUT_CAPACITY
#define TM_HARNESS_OUTPUT_CAPACITY 4096
#endif
// MLPerf's runner sends 31 bytes per `db` line; our host sends up to this
// many when `m-info-link-` offers it (fewer lines and `m-ready`s per input)
#ifndef TM_HARNESS_DB_MAX_BYTES
#define TM_HARNESS_DB_MAX_BYTES 124
#endif
// "db " + two hex digits per byte, and room for a `db file` path
#define TM_HARNESS_LINE_MAX (2 * TM_HARNESS_DB_MAX_BYTES + 8)
#define TM_HARNESS_MAX_RUNS 256
#define TM_HARNESS_MAX_WARMUPS 100  // a device busy for hours on one command cannot be resynced
#define TM_HARNESS_MAX_LAYERS 256
#define TM_HARNESS_MAX_CALIB 100000000  // loop iterations: seconds of emulation at most

static uint8_t tm_harness_input[TM_HARNESS_INPUT_CAPACITY] __attribute__((aligned(16)));
static uint8_t tm_harness_work[TM_HARNESS_INPUT_CAPACITY] __attribute__((aligned(16)));
static uint8_t tm_harness_output[TM_HARNESS_OUTPUT_CAPACITY] __attribute__((aligned(16)));
static size_t tm_harness_expected;  // bytes announced by `db load`
static size_t tm_harness_loaded;    // bytes received since
static int tm_harness_have_results;
static const char *tm_harness_init_error;  // why the model cannot run, set at boot
static char tm_harness_line[TM_HARNESS_LINE_MAX + 1];
static uint32_t tm_harness_run_ticks[TM_HARNESS_MAX_RUNS];
static uint32_t tm_harness_layer_ticks[TM_HARNESS_MAX_LAYERS];
static uint32_t tm_harness_layer_start;
static int tm_harness_layers_seen;

void tm_profile_layer_done(int index) {
  uint32_t now = tm_port_ticks();
  if (index >= 0 && index < TM_HARNESS_MAX_LAYERS) {
    tm_harness_layer_ticks[index] = now - tm_harness_layer_start;
    if (index + 1 > tm_harness_layers_seen) tm_harness_layers_seen = index + 1;
  }
  tm_harness_layer_start = tm_port_ticks();
}

static void tm_harness_error(const char *reason) {
  tm_harness_io_line("e-", reason);
}

// e-[<before><n><after>]: limits in error texts come from the macros, never retyped
static void tm_harness_error_n(const char *before, uint32_t n, const char *after) {
  tm_harness_io_puts("e-[");
  tm_harness_io_puts(before);
  tm_harness_io_put_u32(n);
  tm_harness_io_puts(after);
  tm_harness_io_puts("]\n");
}

static int tm_harness_dtype_ok(tm_dtype_t t) {
  return (unsigned)t <= (unsigned)TM_DTYPE_FLOAT32;
}

static size_t tm_harness_dtype_bytes(tm_dtype_t t) {
  static const size_t bytes[] = {1, 1, 2, 4};
  return tm_harness_dtype_ok(t) ? bytes[t] : 0;
}

static void tm_harness_put_value(const char *prefix, uint32_t v) {
  tm_harness_io_puts(prefix);
  tm_port_putc('[');
  tm_harness_io_put_u32(v);
  tm_harness_io_puts("]\n");
}

static void tm_harness_put_quant(const char *prefix, uint32_t n, tm_dtype_t t, float scale, int32_t zp) {
  static const char *const names[] = {"int8", "uint8", "int16", "float32"};
  tm_harness_io_puts(prefix);
  tm_port_putc('[');
  tm_harness_io_put_u32(n);
  tm_port_putc(',');
  tm_harness_io_puts(tm_harness_dtype_ok(t) ? names[t] : "unknown");
  tm_port_putc(',');
  tm_harness_io_put_float(scale);
  tm_port_putc(',');
  tm_harness_io_put_i32(zp);
  tm_harness_io_puts("]\n");
}

// Wider elements are copied out with memcpy: the buffer's bytes are never read through a cast pointer.
static float tm_harness_dequantize(const tm_model_info_t *m, size_t i) {
  switch (m->output_type) {
    case TM_DTYPE_INT8: return (float)((int8_t)tm_harness_output[i] - m->output_zero_point) * m->output_scale;
    case TM_DTYPE_UINT8: return (float)(tm_harness_output[i] - m->output_zero_point) * m->output_scale;
    case TM_DTYPE_INT16: {
      int16_t v;
      memcpy(&v, tm_harness_output + 2 * i, sizeof v);
      return (float)(v - m->output_zero_point) * m->output_scale;
    }
    default: {
      float v;
      memcpy(&v, tm_harness_output + 4 * i, sizeof v);
      return v;
    }
  }
}

static void tm_harness_results(void) {
  const tm_model_info_t *m = tm_model_info();
  if (!tm_harness_have_results) {
    tm_harness_error("no results: run infer first");
    return;
  }
  tm_harness_io_puts("m-results-[");
  for (size_t i = 0; i < m->output_count; i++) {
    if (i) tm_port_putc(',');
    tm_harness_io_put_float(tm_harness_dequantize(m, i));
  }
  // extension: checksums of the input used and of the raw output bytes
  tm_harness_io_puts("]\nm-check-[");
  tm_harness_io_put_u32(tm_harness_io_fletcher16(tm_harness_input, m->input_bytes));
  tm_port_putc(',');
  tm_harness_io_put_u32(tm_harness_io_fletcher16(tm_harness_output, m->output_count * tm_harness_dtype_bytes(m->output_type)));
  tm_harness_io_puts("]\n");
}

static void tm_harness_info(void) {
  const tm_model_info_t *m = tm_model_info();
  tm_harness_io_line("m-info-model-", m->name);
  tm_harness_io_line("m-info-hash-", m->hash);
  tm_harness_io_line("m-info-runtime-", m->runtime);
  tm_harness_io_line("m-info-board-", tm_port_board());
  tm_harness_put_quant("m-info-input-", (uint32_t)m->input_bytes, m->input_type, m->input_scale, m->input_zero_point);
  tm_harness_put_quant("m-info-output-", (uint32_t)m->output_count, m->output_type, m->output_scale, m->output_zero_point);
  tm_harness_io_line("m-info-timer-", tm_port_tick_unit());
  tm_harness_put_value("m-info-layers-", (uint32_t)m->layer_count);
  // extension of the extension: what our host may use beyond MLPerf's 31-byte `db` lines
  tm_harness_io_puts("m-info-link-[");
  tm_harness_io_put_u32(TM_HARNESS_DB_MAX_BYTES);
  if (tm_port_read_file) tm_harness_io_puts(",file");
  tm_harness_io_puts("]\n");
}

static void tm_harness_mem(void) {
  tm_harness_put_value("m-mem-arena-", (uint32_t)tm_model_info()->arena_bytes);
  tm_harness_put_value("m-mem-stack-used-", (uint32_t)tm_port_stack_used());
  tm_harness_put_value("m-mem-stack-size-", (uint32_t)tm_port_stack_size());
}

static void tm_harness_calib(const char *args) {
  int32_t n = tm_harness_io_parse_u31(&args);
  if (n <= 0 || *args) {
    tm_harness_error("calib needs a loop count: calib N%");
    return;
  }
  if (n > TM_HARNESS_MAX_CALIB) {
    tm_harness_error_n("calib: at most ", TM_HARNESS_MAX_CALIB, " iterations");
    return;
  }
  tm_port_ticks_sync();
  uint32_t t0 = tm_port_ticks();
  tm_port_spin((uint32_t)n);
  uint32_t t1 = tm_port_ticks();
  tm_harness_io_puts("m-calib-[");
  tm_harness_io_put_u32((uint32_t)n * TM_PORT_SPIN_INSNS_PER_ITER);
  tm_port_putc(',');
  tm_harness_io_put_u32(t1 - t0);
  tm_harness_io_puts("]\n");
}

static void tm_harness_db_load(const char *args) {
  size_t want = tm_model_info()->input_bytes;
  int32_t n = tm_harness_io_parse_u31(&args);
  tm_harness_loaded = 0;
  tm_harness_expected = 0;
  if (n < 0 || *args) {
    tm_harness_error("db load needs a byte count: db load N%");
  } else if ((size_t)n != want || want > TM_HARNESS_INPUT_CAPACITY) {
    tm_harness_io_puts("e-[db load: model input is ");
    tm_harness_io_put_u32((uint32_t)want);
    tm_harness_io_puts(" bytes]\n");
  } else {
    tm_harness_expected = (size_t)n;
    tm_harness_io_puts("m-[Expecting ");
    tm_harness_io_put_u32((uint32_t)n);
    tm_harness_io_puts(" bytes]\n");
  }
}

static void tm_harness_db_data(const char *hex) {
  uint8_t bytes[TM_HARNESS_DB_MAX_BYTES];
  int32_t n = tm_harness_io_parse_hex(hex, bytes, sizeof bytes);
  if (!tm_harness_expected) {
    tm_harness_error("db: send db load N% first");
  } else if (n < 0) {
    tm_harness_error_n("db: expected hex pairs, at most ", TM_HARNESS_DB_MAX_BYTES, " bytes per line");
  } else if (tm_harness_loaded + (size_t)n > tm_harness_expected) {
    tm_harness_error("db: more bytes than announced by db load");
    tm_harness_expected = 0;
  } else {
    memcpy(tm_harness_input + tm_harness_loaded, bytes, (size_t)n);
    tm_harness_loaded += (size_t)n;
  }
}

// `db file PATH%`: the rest of the announced input from a host file, when the port can read one.
static void tm_harness_db_file(const char *path) {
  size_t want = tm_harness_expected - tm_harness_loaded;
  if (!tm_port_read_file) {
    tm_harness_error("db file: this port cannot read host files");
  } else if (!tm_harness_expected) {
    tm_harness_error("db: send db load N% first");
  } else if (!*path) {
    tm_harness_error("db file needs a path: db file PATH%");
  } else if (tm_port_read_file(path, tm_harness_input + tm_harness_loaded, want) != (int32_t)want) {
    tm_harness_error_n("db file: cannot read ", (uint32_t)want, " bytes from the file");
    tm_harness_expected = 0;
  } else {
    tm_harness_loaded += want;
  }
}

static void tm_harness_infer(const char *args) {
  const tm_model_info_t *m = tm_model_info();
  int32_t runs = tm_harness_io_parse_u31(&args), warmups = 0;
  if (*args == ' ') {
    args++;
    warmups = tm_harness_io_parse_u31(&args);
  }
  if (runs <= 0 || warmups < 0 || *args) {
    tm_harness_error("infer needs run and warm-up counts: infer N W%");
    return;
  }
  if (runs > TM_HARNESS_MAX_RUNS) {
    tm_harness_error_n("infer: at most ", TM_HARNESS_MAX_RUNS, " timed runs");
    return;
  }
  if (warmups > TM_HARNESS_MAX_WARMUPS) {
    tm_harness_error_n("infer: at most ", TM_HARNESS_MAX_WARMUPS, " warm-up runs");
    return;
  }
  if (tm_harness_init_error) {
    tm_harness_error(tm_harness_init_error);
    return;
  }
  if (!tm_harness_expected || tm_harness_loaded != m->input_bytes) {
    tm_harness_io_puts("e-[infer: input has ");
    tm_harness_io_put_u32((uint32_t)tm_harness_loaded);
    tm_harness_io_puts(" of ");
    tm_harness_io_put_u32((uint32_t)m->input_bytes);
    tm_harness_io_puts(" bytes]\n");
    return;
  }
  tm_harness_have_results = 0;
  for (int32_t i = 0; i < warmups; i++) {
    memcpy(tm_harness_work, tm_harness_input, m->input_bytes);
    if (tm_model_invoke(tm_harness_work, tm_harness_output)) {
      tm_harness_error("invoke failed");
      return;
    }
  }
  uint32_t lap0 = tm_port_micros();
  for (int32_t i = 0; i < runs; i++) {
    memcpy(tm_harness_work, tm_harness_input, m->input_bytes);
    tm_harness_layers_seen = 0;
    tm_port_ticks_sync();
    uint32_t t0 = tm_port_ticks();
    tm_harness_layer_start = t0;
    int status = tm_model_invoke(tm_harness_work, tm_harness_output);
    tm_harness_run_ticks[i] = tm_port_ticks() - t0;
    if (status) {
      tm_harness_error("invoke failed");
      return;
    }
  }
  uint32_t lap1 = tm_port_micros();
  tm_harness_have_results = 1;
  tm_stats_update(tm_harness_input, tm_harness_output);
  // MLPerf's runner reads only m-lap-us- (virtual microseconds on QEMU); our per-run ticks follow
  tm_harness_io_puts("m-lap-us-");
  tm_harness_io_put_u32(lap0);
  tm_harness_io_puts("\nm-lap-us-");
  tm_harness_io_put_u32(lap1);
  tm_port_putc('\n');
  tm_harness_io_list("m-runs-", tm_harness_run_ticks, (size_t)runs);
  if (tm_harness_layers_seen) tm_harness_io_list("m-layers-", tm_harness_layer_ticks, (size_t)tm_harness_layers_seen);
  tm_harness_results();
}

// One inference on the loaded input, for `validate%`; its results are those of `results%` after it.
static int tm_harness_invoke_loaded(void) {
  const tm_model_info_t *m = tm_model_info();
  memcpy(tm_harness_work, tm_harness_input, m->input_bytes);
  int status = tm_model_invoke(tm_harness_work, tm_harness_output);
  tm_harness_have_results = status == 0;
  return status;
}

static void tm_harness_validate_command(const char *args) {
  if (!tm_harness_validate) {
    tm_harness_error("validate: this firmware is not a validation build (toolchain validate builds one)");
  } else if (tm_harness_init_error) {
    tm_harness_error(tm_harness_init_error);
  } else if (!tm_harness_expected || tm_harness_loaded != tm_model_info()->input_bytes) {
    tm_harness_error("validate: load an input first: db load N% and its data");
  } else {
    tm_harness_have_results = 0;
    tm_harness_validate(args, tm_harness_invoke_loaded);
    if (tm_harness_have_results) tm_harness_results();
  }
}

static int tm_harness_is(const char *line, const char *cmd, const char **args) {
  size_t n = strlen(cmd);
  if (strncmp(line, cmd, n) != 0) return 0;
  if (line[n] == '\0') {
    *args = line + n;
    return 1;
  }
  if (line[n] == ' ') {
    *args = line + n + 1;
    return 1;
  }
  return 0;
}

// `stream begin ...%` and `stream%` go to the audio model's detector (tm_harness.h).
static void tm_harness_stream_command(const char *args) {
  const char *begin = NULL;
  if (!tm_harness_stream) {
    tm_harness_error("stream: this firmware's model does not take raw audio");
  } else if (tm_harness_init_error) {
    tm_harness_error(tm_harness_init_error);
  } else if (tm_harness_is(args, "begin", &begin)) {
    tm_harness_stream(begin, NULL, 0);
  } else if (*args) {
    tm_harness_error("stream takes no arguments, or: stream begin E A T S K%");
  } else if (!tm_harness_expected || tm_harness_loaded != tm_harness_expected) {
    tm_harness_error("stream: load a piece of audio first: db load N% and its data");
  } else {
    tm_harness_stream(NULL, tm_harness_input, tm_harness_loaded);
  }
}

static void tm_harness_dispatch(const char *line) {
  const tm_model_info_t *m = tm_model_info();
  const char *args = "";
  if (!*line) return;
  if (tm_harness_is(line, "name", &args) && !*args) {
    tm_harness_io_line("m-name-dut-", tm_port_board());
  } else if (tm_harness_is(line, "profile", &args) && !*args) {
    tm_harness_io_line("m-profile-", "toolchain");
    tm_harness_io_line("m-model-", m->name);
  } else if (tm_harness_is(line, "db load", &args)) {
    tm_harness_db_load(args);
  } else if (tm_harness_is(line, "db file", &args)) {
    tm_harness_db_file(args);
  } else if (tm_harness_is(line, "db", &args)) {
    tm_harness_db_data(args);
  } else if (tm_harness_is(line, "infer", &args)) {
    tm_harness_infer(args);
  } else if (tm_harness_is(line, "results", &args) && !*args) {
    tm_harness_results();
  } else if (tm_harness_is(line, "info", &args) && !*args) {
    tm_harness_info();
  } else if (tm_harness_is(line, "mem", &args) && !*args) {
    tm_harness_mem();
  } else if (tm_harness_is(line, "stats", &args)) {
    tm_stats_command(args);
  } else if (tm_harness_is(line, "stream", &args)) {
    tm_harness_stream_command(args);
  } else if (tm_harness_is(line, "validate", &args)) {
    tm_harness_validate_command(args);
  } else if (tm_harness_is(line, "calib", &args)) {
    tm_harness_calib(args);
  } else {
    tm_harness_error("unknown command");
  }
}

// Whether the model's description fits the harness's buffers; the reason when not.
static const char *tm_harness_check_model(const tm_model_info_t *m) {
  if (!tm_harness_dtype_ok(m->input_type) || !tm_harness_dtype_ok(m->output_type)) return "model has an unknown dtype";
  if (m->input_bytes > TM_HARNESS_INPUT_CAPACITY) return "model input is larger than TM_HARNESS_INPUT_CAPACITY";
  if (m->output_count * tm_harness_dtype_bytes(m->output_type) > TM_HARNESS_OUTPUT_CAPACITY) {
    return "model output is larger than TM_HARNESS_OUTPUT_CAPACITY";
  }
  return 0;
}

void tm_harness_run(void) {
  const tm_model_info_t *m = tm_model_info();
  char *line = tm_harness_line;
  size_t len = 0;
  int overlong = 0, nul = 0;
  tm_harness_init_error = tm_harness_check_model(m);
  if (!tm_harness_init_error && tm_model_init()) tm_harness_init_error = "model init failed";
  tm_harness_io_puts("m-boot-[");
  tm_harness_io_puts(tm_port_board());
  tm_port_putc(',');
  tm_harness_io_puts(m->name);
  tm_port_putc(',');
  tm_harness_io_puts(m->hash);
  tm_harness_io_puts("]\n");
  if (tm_harness_init_error) tm_harness_error(tm_harness_init_error);
  tm_harness_io_puts("m-ready\n");
  for (;;) {
    char c = (char)tm_port_getc();
    if (c == '\r' || c == '\n') continue;
    if (c != '%') {
      nul |= c == '\0';  // would end the C string early: `\0\0name` must not pass for an empty line
      if (len < TM_HARNESS_LINE_MAX) {
        line[len++] = c;
      } else {
        overlong = 1;
      }
      continue;
    }
    line[len] = '\0';
    if (overlong) {
      tm_harness_error_n("line too long: at most ", TM_HARNESS_LINE_MAX, " characters before %");
    } else if (nul) {
      tm_harness_error("unknown command: NUL byte in the line");
    } else {
      tm_harness_dispatch(line);
    }
    len = 0;
    overlong = 0;
    nul = 0;
    tm_harness_io_puts("m-ready\n");
  }
}
