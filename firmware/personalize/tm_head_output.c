// SPDX-License-Identifier: Apache-2.0
// The personalised head's answer in the model's own int8 output (tm_head.h:
// tm_head_output), over either twin's probabilities; compiled for the device
// and for the host replay, so the host predicts the device's output bytes.
#include "tm_head.h"

void tm_head_output(const tm_head_t *h, const int8_t *q, int8_t *output, size_t count, float scale, int32_t zero_point) {
  float p[TM_HEAD_MAX_CLASSES];
  if (count != TM_HEAD_CLASSES) return;
  tm_head_probabilities(h, q, p);
  for (size_t c = 0; c < count; c++) {
    int32_t v = (int32_t)(p[c] / scale + 0.5f) + zero_point;  // p >= 0: truncation after + 0.5 rounds half up
    output[c] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}
