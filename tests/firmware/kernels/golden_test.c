// SPDX-License-Identifier: Apache-2.0
// The per-op golden tables (testdata/<kernel>_cases.h, outputs from the
// TFLM host interpreter) against the linked kernels: the same test for the
// portable kernels and the DSP twins. Prints "golden ok N" or the first
// mismatching byte; exit status 0 on success.
#include <stdint.h>
#include <stdio.h>

typedef struct {
  const char *name;
  void (*run)(const void *in, void *out);
  int samples;
  unsigned in_bytes, out_bytes;  // per sample
  const uint8_t *inputs, *expected;
} golden_case_t;

static int8_t golden_scratch[4096] __attribute__((aligned(16)));  // golden.py SCRATCH_BYTES
static uint8_t golden_out[4096] __attribute__((aligned(16)));

#include "testdata/activation_cases.h"
#include "testdata/conv_cases.h"
#include "testdata/depthwise_conv_cases.h"
#include "testdata/elementwise_cases.h"
#include "testdata/fully_connected_cases.h"
#include "testdata/layout_cases.h"
#include "testdata/pooling_cases.h"
#include "testdata/quantize_cases.h"
#include "testdata/reduce_cases.h"
#include "testdata/conv_16x8_cases.h"
#include "testdata/depthwise_conv_16x8_cases.h"
#include "testdata/fully_connected_16x8_cases.h"
#include "testdata/pooling_16x8_cases.h"
#include "testdata/softmax_16x8_cases.h"
#include "testdata/logistic_16x8_cases.h"
#include "testdata/tanh_16x8_cases.h"
#include "testdata/reduce_16x8_cases.h"
#include "testdata/elementwise_16x8_cases.h"
#include "testdata/quantize_16x8_cases.h"

#define GOLDEN_TABLE(t) {t, (int)(sizeof t / sizeof t[0])}

static const struct {
  const golden_case_t *cases;
  int count;
} golden_tables[] = {
    GOLDEN_TABLE(golden_activation), GOLDEN_TABLE(golden_conv),   GOLDEN_TABLE(golden_depthwise_conv),
    GOLDEN_TABLE(golden_elementwise), GOLDEN_TABLE(golden_fully_connected), GOLDEN_TABLE(golden_layout),
    GOLDEN_TABLE(golden_pooling),    GOLDEN_TABLE(golden_quantize), GOLDEN_TABLE(golden_reduce),
    GOLDEN_TABLE(golden_conv_16x8), GOLDEN_TABLE(golden_depthwise_conv_16x8), GOLDEN_TABLE(golden_fully_connected_16x8),
    GOLDEN_TABLE(golden_pooling_16x8), GOLDEN_TABLE(golden_softmax_16x8), GOLDEN_TABLE(golden_logistic_16x8),
    GOLDEN_TABLE(golden_tanh_16x8), GOLDEN_TABLE(golden_reduce_16x8),
    GOLDEN_TABLE(golden_elementwise_16x8), GOLDEN_TABLE(golden_quantize_16x8),
};

static int golden_check(const golden_case_t *c) {
  for (int s = 0; s < c->samples; ++s) {
    const uint8_t *want = c->expected + (unsigned)s * c->out_bytes;
    c->run(c->inputs + (unsigned)s * c->in_bytes, golden_out);
    for (unsigned i = 0; i < c->out_bytes; ++i) {
      if (golden_out[i] != want[i]) {
        printf("%s: sample %d byte %u got %d want %d\n", c->name, s, i, (int8_t)golden_out[i], (int8_t)want[i]);
        return 1;
      }
    }
  }
  return 0;
}

int main(void) {
  int n = 0;
  for (unsigned t = 0; t < sizeof golden_tables / sizeof golden_tables[0]; ++t) {
    for (int k = 0; k < golden_tables[t].count; ++k, ++n) {
      if (golden_check(&golden_tables[t].cases[k])) return 1;
    }
  }
  printf("golden ok %d\n", n);
  return 0;
}
