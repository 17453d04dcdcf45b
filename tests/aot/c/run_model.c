// SPDX-License-Identifier: Apache-2.0
// Test driver: reads inputs of input_bytes each from stdin until EOF, runs
// the linked model on each, writes the raw outputs to stdout.
#include <stdio.h>
#include <stdlib.h>

#include "tm_model.h"

void tm_profile_layer_done(int index) { (void)index; }

static size_t elem_bytes(tm_dtype_t t) { return t == TM_DTYPE_FLOAT32 ? 4 : (t == TM_DTYPE_INT16 ? 2 : 1); }

int main(void) {
  const tm_model_info_t *info = tm_model_info();
  const size_t out_bytes = info->output_count * elem_bytes(info->output_type);
  unsigned char *in = malloc(info->input_bytes + 1), *out = malloc(out_bytes + 1);
  if (!in || !out || tm_model_init() != 0) return 2;
  while (fread(in, 1, info->input_bytes, stdin) == info->input_bytes) {
    if (tm_model_invoke(in, out) != 0) return 3;
    fwrite(out, 1, out_bytes, stdout);
  }
  return 0;
}
