// SPDX-License-Identifier: Apache-2.0
// Test program for the cached TFLM library (tests/build/test_tflm_library.py):
// runs the exported model on each input of test_input.h and prints over the UART
//   out <int8> <int8> ...     (one line per input)
//   arena <arena_used_bytes()>
// then exits 0; a failing step exits with its own status and TFLM's log lines.
#include <stdint.h>
#include <string.h>

#include "model_data.h"
#include "model_ops.h"
#include "tensorflow/lite/micro/cortex_m_generic/debug_log_callback.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/schema/schema_generated.h"
#include "test_input.h"
#include "tm_port.h"

// From the linker script: the startup code runs no C++ constructors itself
extern "C" void (*__init_array_start[])(void);
extern "C" void (*__init_array_end[])(void);

alignas(16) static uint8_t arena[kTensorArenaSize];

static void put_str(const char *s) {
  while (*s) tm_port_putc(*s++);
}

static void put_int(long v) {
  char buf[24];
  int n = 0;
  unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
  do {
    buf[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) tm_port_putc('-');
  while (n) tm_port_putc(buf[--n]);
}

int main(void) {
  for (void (**ctor)(void) = __init_array_start; ctor < __init_array_end; ctor++) (*ctor)();
  tm_port_init();
  RegisterDebugLogCallback(put_str);
  static ModelOpResolver resolver;
  if (RegisterModelOps(resolver) != kTfLiteOk) tm_port_exit(10);
  static tflite::MicroInterpreter interpreter(tflite::GetModel(g_model_data), resolver, arena, kTensorArenaSize);
  if (interpreter.AllocateTensors() != kTfLiteOk) tm_port_exit(11);
  TfLiteTensor *in = interpreter.input(0);
  if (in->bytes != sizeof(kTestInputs[0])) tm_port_exit(12);
  for (size_t n = 0; n < sizeof(kTestInputs) / sizeof(kTestInputs[0]); n++) {
    // copied in every time: TFLM may reuse the input tensor's memory for activations
    memcpy(in->data.raw, kTestInputs[n], sizeof(kTestInputs[n]));
    if (interpreter.Invoke() != kTfLiteOk) tm_port_exit(13);
    put_str("out");
    TfLiteTensor *out = interpreter.output(0);
    for (size_t i = 0; i < out->bytes; i++) {
      tm_port_putc(' ');
      put_int(out->data.int8[i]);
    }
    put_str("\n");
  }
  put_str("arena ");
  put_int((long)interpreter.arena_used_bytes());
  put_str("\n");
  return 0;
}
