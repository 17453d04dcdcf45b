// SPDX-License-Identifier: Apache-2.0
// Command loop of the device harness. A command is the text before `%`
// (CR/LF ignored); every reply ends with `m-ready`, errors are `e-[reason]`.
// Commands, reply prefixes and limits come from the generated tm_protocol.h
// (toolchain/harness_protocol.py); TM_PROTOCOL_COMMANDS names each handler.
// The loaded input stays pristine: it is copied into a work buffer before
// every invoke (outside the timed region) because a runtime may reuse its
// input memory for activations.
#include "tm_harness.h"

#include <string.h>

#include "tm_harness_io.h"
#include "tm_model.h"
#include "tm_port.h"
#include "tm_protocol.h"
#include "tm_stats.h"

#ifndef TM_HARNESS_INPUT_CAPACITY
#define TM_HARNESS_INPUT_CAPACITY 65536
#endif
#ifndef TM_HARNESS_OUTPUT_CAPACITY
#define TM_HARNESS_OUTPUT_CAPACITY 4096
#endif
// MLPerf's runner sends TM_HARNESS_MLPERF_DB_BYTES per `db` line; our host sends up to
// TM_HARNESS_DB_MAX_BYTES when `m-info-link-` offers it (fewer lines and `m-ready`s per input)
_Static_assert(TM_HARNESS_LINE_MAX >= 2 * TM_HARNESS_DB_MAX_BYTES + 3, "a longest `db` line must fit in a line");

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
  tm_harness_io_line(TM_REPLY_ERROR, reason);
}

// e-[<before><n><after>]: limits in error texts come from the macros, never retyped
static void tm_harness_error_n(const char *before, uint32_t n, const char *after) {
  tm_harness_io_puts(TM_REPLY_ERROR "[");
  tm_harness_io_puts(before);
  tm_harness_io_put_u32(n);
  tm_harness_io_puts(after);
  tm_harness_io_puts("]\n");
}

static int tm_harness_dtype_ok(tm_dtype_t t) {
  return (unsigned)t <= (unsigned)TM_DTYPE_LAST;
}

static size_t tm_harness_dtype_bytes(tm_dtype_t t) {
  static const size_t bytes[] = TM_DTYPE_SIZES;
  return tm_harness_dtype_ok(t) ? bytes[t] : 0;
}

static void tm_harness_put_value(const char *prefix, uint32_t v) {
  tm_harness_io_puts(prefix);
  tm_port_putc('[');
  tm_harness_io_put_u32(v);
  tm_harness_io_puts("]\n");
}

static void tm_harness_put_quant(const char *prefix, uint32_t n, tm_dtype_t t, float scale, int32_t zp) {
  static const char *const names[] = TM_DTYPE_NAMES;
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

static void tm_harness_put_results(void) {
  const tm_model_info_t *m = tm_model_info();
  if (!tm_harness_have_results) {
    tm_harness_error("no results: run infer first");
    return;
  }
  tm_harness_io_puts(TM_REPLY_RESULTS "[");
  for (size_t i = 0; i < m->output_count; i++) {
    if (i) tm_port_putc(',');
    tm_harness_io_put_float(tm_harness_dequantize(m, i));
  }
  // extension: checksums of the input used and of the raw output bytes
  tm_harness_io_puts("]\n" TM_REPLY_CHECK "[");
  tm_harness_io_put_u32(tm_harness_io_fletcher16(tm_harness_input, m->input_bytes));
  tm_port_putc(',');
  tm_harness_io_put_u32(tm_harness_io_fletcher16(tm_harness_output, m->output_count * tm_harness_dtype_bytes(m->output_type)));
  tm_harness_io_puts("]\n");
}

static void tm_harness_results(const char *args) {
  (void)args;
  tm_harness_put_results();
}

static void tm_harness_name(const char *args) {
  (void)args;
  tm_harness_io_line(TM_REPLY_NAME_DUT, tm_port_board());
}

static void tm_harness_profile(const char *args) {
  (void)args;
  tm_harness_io_line(TM_REPLY_PROFILE, "toolchain");
  tm_harness_io_line(TM_REPLY_MODEL, tm_model_info()->name);
}

static void tm_harness_info(const char *args) {
  const tm_model_info_t *m = tm_model_info();
  (void)args;
  tm_harness_io_line(TM_REPLY_INFO_MODEL, m->name);
  tm_harness_io_line(TM_REPLY_INFO_HASH, m->hash);
  tm_harness_io_line(TM_REPLY_INFO_RUNTIME, m->runtime);
  tm_harness_io_line(TM_REPLY_INFO_BOARD, tm_port_board());
  tm_harness_put_quant(TM_REPLY_INFO_INPUT, (uint32_t)m->input_bytes, m->input_type, m->input_scale, m->input_zero_point);
  tm_harness_put_quant(TM_REPLY_INFO_OUTPUT, (uint32_t)m->output_count, m->output_type, m->output_scale, m->output_zero_point);
  tm_harness_io_line(TM_REPLY_INFO_TIMER, tm_port_tick_unit());
  tm_harness_put_value(TM_REPLY_INFO_LAYERS, (uint32_t)m->layer_count);
  // extension of the extension: what our host may use beyond MLPerf's 31-byte `db` lines
  tm_harness_io_puts(TM_REPLY_INFO_LINK "[");
  tm_harness_io_put_u32(TM_HARNESS_DB_MAX_BYTES);
  if (tm_port_read_file) tm_harness_io_puts("," TM_LINK_FILE);
  tm_harness_io_puts("]\n");
}

static void tm_harness_mem(const char *args) {
  (void)args;
  tm_harness_put_value(TM_REPLY_MEM_ARENA, (uint32_t)tm_model_info()->arena_bytes);
  tm_harness_put_value(TM_REPLY_MEM_STACK_USED, (uint32_t)tm_port_stack_used());
  tm_harness_put_value(TM_REPLY_MEM_STACK_SIZE, (uint32_t)tm_port_stack_size());
}

static void tm_harness_calib(const char *args) {
  int32_t n = tm_harness_io_parse_u31(&args);
  if (n <= 0 || *args) {
    tm_harness_error("calib needs a loop count: " TM_USAGE_CALIB);
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
  tm_harness_io_puts(TM_REPLY_CALIB "[");
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
    tm_harness_error("db load needs a byte count: " TM_USAGE_DB_LOAD);
  } else if ((size_t)n != want || want > TM_HARNESS_INPUT_CAPACITY) {
    tm_harness_io_puts(TM_REPLY_ERROR "[db load: model input is ");
    tm_harness_io_put_u32((uint32_t)want);
    tm_harness_io_puts(" bytes]\n");
  } else {
    tm_harness_expected = (size_t)n;
    tm_harness_io_puts(TM_REPLY_MESSAGE "[Expecting ");
    tm_harness_io_put_u32((uint32_t)n);
    tm_harness_io_puts(" bytes]\n");
  }
}

static void tm_harness_db_data(const char *hex) {
  uint8_t bytes[TM_HARNESS_DB_MAX_BYTES];
  int32_t n = tm_harness_io_parse_hex(hex, bytes, sizeof bytes);
  if (!tm_harness_expected) {
    tm_harness_error("db: send " TM_USAGE_DB_LOAD " first");
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
    tm_harness_error("db: send " TM_USAGE_DB_LOAD " first");
  } else if (!*path) {
    tm_harness_error("db file needs a path: " TM_USAGE_DB_FILE);
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
    tm_harness_error("infer needs run and warm-up counts: " TM_USAGE_INFER);
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
    tm_harness_io_puts(TM_REPLY_ERROR "[infer: input has ");
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
  tm_harness_io_puts(TM_REPLY_LAP_US);
  tm_harness_io_put_u32(lap0);
  tm_harness_io_puts("\n" TM_REPLY_LAP_US);
  tm_harness_io_put_u32(lap1);
  tm_port_putc('\n');
  tm_harness_io_list(TM_REPLY_RUNS, tm_harness_run_ticks, (size_t)runs);
  if (tm_harness_layers_seen) tm_harness_io_list(TM_REPLY_LAYERS, tm_harness_layer_ticks, (size_t)tm_harness_layers_seen);
  tm_harness_put_results();
}

// One inference on the loaded input, for `validate%`; its results are those of `results%` after it.
static int tm_harness_invoke_loaded(void) {
  const tm_model_info_t *m = tm_model_info();
  memcpy(tm_harness_work, tm_harness_input, m->input_bytes);
  int status = tm_model_invoke(tm_harness_work, tm_harness_output);
  tm_harness_have_results = status == 0;
  return status;
}

const char *tm_harness_invoke_input(void) {
  if (tm_harness_init_error) return tm_harness_init_error;
  if (!tm_harness_expected || tm_harness_loaded != tm_model_info()->input_bytes) {
    return "load an input first: " TM_USAGE_DB_LOAD " and its data";
  }
  return tm_harness_invoke_loaded() ? "invoke failed" : NULL;
}

// Whether `validate` can run now; the error printed when it cannot.
static int tm_harness_can_validate(void) {
  if (!tm_harness_validate) {
    tm_harness_error("validate: this firmware is not a validation build (toolchain validate builds one)");
  } else if (tm_harness_init_error) {
    tm_harness_error(tm_harness_init_error);
  } else if (!tm_harness_expected || tm_harness_loaded != tm_model_info()->input_bytes) {
    tm_harness_error("validate: load an input first: " TM_USAGE_DB_LOAD " and its data");
  } else {
    return 1;
  }
  return 0;
}

static void tm_harness_validate_run(const char *path) {
  tm_harness_have_results = 0;
  tm_harness_validate(path, tm_harness_invoke_loaded);
  if (tm_harness_have_results) tm_harness_put_results();
}

static void tm_harness_validate_layers(const char *args) {
  if (!tm_harness_can_validate()) return;
  if (*args) {
    tm_harness_error("validate takes no arguments, or: " TM_USAGE_VALIDATE_FILE);
  } else {
    tm_harness_validate_run(NULL);
  }
}

static void tm_harness_validate_file(const char *path) {
  if (!tm_harness_can_validate()) return;
  if (!*path) {
    tm_harness_error("validate file needs a path: " TM_USAGE_VALIDATE_FILE);
  } else {
    tm_harness_validate_run(path);
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

// Whether this firmware streams audio; the error printed when it cannot now.
static int tm_harness_can_stream(void) {
  if (!tm_harness_stream) {
    tm_harness_error("stream: this firmware's model does not take raw audio");
  } else if (tm_harness_init_error) {
    tm_harness_error(tm_harness_init_error);
  } else {
    return 1;
  }
  return 0;
}

// `stream begin ...%` and `stream%` go to the audio model's detector (tm_harness.h).
static void tm_harness_stream_begin(const char *args) {
  if (tm_harness_can_stream()) tm_harness_stream(args, NULL, 0);
}

static void tm_harness_stream_piece(const char *args) {
  if (!tm_harness_can_stream()) return;
  if (*args) {
    tm_harness_error("stream takes no arguments, or: " TM_USAGE_STREAM_BEGIN);
  } else if (!tm_harness_expected || tm_harness_loaded != tm_harness_expected) {
    tm_harness_error("stream: load a piece of audio first: " TM_USAGE_DB_LOAD " and its data");
  } else {
    tm_harness_stream(NULL, tm_harness_input, tm_harness_loaded);
  }
}

typedef struct {
  const char *name;
  void (*run)(const char *args);
  int bare;  // only the bare name: `name extra%` is an unknown command
  const char *missing;  // what to answer when `run` is an optional handler this build lacks
} tm_harness_command_t;

#define TM_HARNESS_COMMAND(name, handler, bare, missing) {name, handler, bare, missing},
static const tm_harness_command_t tm_harness_commands[] = {TM_PROTOCOL_COMMANDS(TM_HARNESS_COMMAND)};

static void tm_harness_dispatch(const char *line) {
  const char *args = "";
  if (!*line) return;
  for (size_t i = 0; i < sizeof tm_harness_commands / sizeof tm_harness_commands[0]; i++) {
    const tm_harness_command_t *c = &tm_harness_commands[i];
    if (tm_harness_is(line, c->name, &args) && !(c->bare && *args)) {
      if (c->run) {
        c->run(args);
      } else {
        tm_harness_error(c->missing);
      }
      return;
    }
  }
  tm_harness_error("unknown command");
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
  tm_harness_io_puts(TM_REPLY_BOOT "[");
  tm_harness_io_puts(tm_port_board());
  tm_port_putc(',');
  tm_harness_io_puts(m->name);
  tm_port_putc(',');
  tm_harness_io_puts(m->hash);
  tm_harness_io_puts("]\n");
  if (tm_harness_init_error) tm_harness_error(tm_harness_init_error);
  tm_harness_io_puts(TM_REPLY_READY "\n");
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
    tm_harness_io_puts(TM_REPLY_READY "\n");
  }
}
