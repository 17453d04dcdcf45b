// SPDX-License-Identifier: Apache-2.0
// The SGD schedule of `train N%` (tm_head.h: tm_head_train), over either
// twin's tm_head_step; compiled for the device and for the host replay, so
// both take the same steps in the same order at the same float32 rates.
#include "tm_head.h"

uint32_t tm_head_train(tm_head_t *h, const int8_t *q, const uint8_t *labels, size_t n, uint32_t epochs, float lr) {
  uint32_t steps = 0;
  uint32_t anchor = 0;  // the anchors cycle on through every epoch and example of one train
  float rate = lr;
  (void)anchor;
  for (uint32_t e = 0; e < epochs; e++) {
    if (e) rate *= TM_PERSONALIZE_LR_DECAY;
    for (size_t i = 0; i < n; i++) {
      tm_head_step(h, q + i * TM_HEAD_DIM, labels[i], rate);
      steps++;
#if TM_PERSONALIZE_ANCHORS
      for (uint32_t k = 0; k < TM_PERSONALIZE_ANCHOR_RATIO; k++, steps++) {
        uint32_t a = anchor++ % TM_PERSONALIZE_ANCHORS;
        tm_head_step(h, tm_personalize_anchor_q + a * TM_HEAD_DIM, tm_personalize_anchor_label[a], rate);
      }
#endif
    }
  }
#if TM_PERSONALIZE_ANCHORS && TM_PERSONALIZE_FINAL_ANCHOR_PASS
  // every update ends alike, whichever anchor the cursor stopped at
  for (uint32_t a = 0; a < TM_PERSONALIZE_ANCHORS; a++, steps++) {
    tm_head_step(h, tm_personalize_anchor_q + a * TM_HEAD_DIM, tm_personalize_anchor_label[a], rate);
  }
#endif
  return steps;
}
