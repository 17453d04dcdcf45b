// SPDX-License-Identifier: Apache-2.0
// Test driver: runs every case of the generated table (cases.c) on its
// inputs and compares each output byte with the TFLM reference output.
// Prints one line per failing case and a final "passed N of M" line; the
// exit status is the number of failing cases (capped at 255).
#include <stdio.h>
#include <string.h>

#include "tm_cases.h"

void tm_profile_layer_done(int index) { (void)index; }

static unsigned char out_buf[TM_CASES_MAX_OUTPUT + 16];

static int run_case(const tm_case_t *c) {
  const unsigned char *in = (const unsigned char *)c->inputs;
  const unsigned char *want = (const unsigned char *)c->expected;
  if (c->init() != 0) return -1;
  for (int s = 0; s < c->samples; ++s, in += c->in_bytes, want += c->out_bytes) {
    if (c->invoke(in, out_buf) != 0) return -1;
    for (size_t i = 0; i < c->out_bytes; ++i) {
      if (out_buf[i] != want[i]) {
        printf("case %s: sample %d byte %u got %d want %d\n", c->name, s, (unsigned)i, (signed char)out_buf[i],
               (signed char)want[i]);
        return 1;
      }
    }
  }
  return 0;
}

int main(void) {
  int failed = 0;
  for (int i = 0; i < tm_case_count; ++i) failed += run_case(&tm_cases[i]) != 0;
  printf("passed %d of %d\n", tm_case_count - failed, tm_case_count);
  return failed > 255 ? 255 : failed;
}
