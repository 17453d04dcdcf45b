// SPDX-License-Identifier: Apache-2.0
// The table of compiled test models with their inputs and reference outputs
// (generated into cases.c by tests/aot/c_runner.py).
#ifndef TESTS_AOT_C_TM_CASES_H_
#define TESTS_AOT_C_TM_CASES_H_

#include <stddef.h>

#include "tm_model.h"

typedef struct {
  const char *name;
  int (*init)(void);
  int (*invoke)(const void *input, void *output);
  int samples;
  size_t in_bytes, out_bytes;   // per sample
  const void *inputs;           // samples * in_bytes
  const void *expected;         // samples * out_bytes
} tm_case_t;

extern const tm_case_t tm_cases[];
extern const int tm_case_count;

#endif  // TESTS_AOT_C_TM_CASES_H_
