// SPDX-License-Identifier: Apache-2.0
// The trainable head of a personalization build: a copy of the model's last
// FULLY_CONNECTED layer, W[classes][TM_HEAD_DIM] and b[classes], learning from
// the int8 embeddings (that layer's input) the frozen backbone computes.
// Two twins implement this interface, the build links one of them:
// tm_head_float.c (float32, cores with an FPU) and tm_head_fixed.c (int32
// fixed point with TM_HEAD_FRAC_BITS fraction bits, cores without one). Both
// are also compiled for the host (toolchain/personalize/replay.py), so the
// host replays an update with the device's own arithmetic: no libm (own exp
// and square root), and -ffp-contract=off so no compiler fuses a multiply-add.
// Sizes, the factory head and the defaults come from the generated
// tm_personalize_config.h (toolchain/personalize/config.py).
#ifndef FIRMWARE_PERSONALIZE_TM_HEAD_H_
#define FIRMWARE_PERSONALIZE_TM_HEAD_H_

#include <stddef.h>
#include <stdint.h>

#include "tm_personalize_config.h"

#ifdef __cplusplus
extern "C" {
#endif

// The head's state; its bytes are what `head read%` sends and `head load%` takes.
typedef struct {
  tm_head_word_t w[TM_HEAD_MAX_CLASSES * TM_HEAD_DIM];  // row c at w + c * TM_HEAD_DIM; rows >= classes unused
  tm_head_word_t b[TM_HEAD_MAX_CLASSES];
  uint32_t classes;  // rows in use: TM_HEAD_CLASSES, plus the classes imprinted since
} tm_head_t;

// The factory head: the deployed layer dequantized (rows beyond it zero).
void tm_head_reset(tm_head_t *h);

// The head's logits for embedding `q` (TM_HEAD_DIM int8 values), as float; the class (their argmax).
int tm_head_classify(const tm_head_t *h, const int8_t *q, float *logits);

// One SGD step on the cross-entropy of embedding `q` with class `label`, learning rate `lr`.
void tm_head_step(tm_head_t *h, const int8_t *q, uint32_t label, float lr);

// Row `cls` (== h->classes: a new class) from those of the `n` embeddings at `q` (TM_HEAD_DIM values
// each) whose label is `cls`, centred on the `n_anchors` factory embeddings at `anchors`:
// d = mean(e / |e|) over the class - mean(a / |a|) over the anchors, w = alpha * d / |d| with alpha
// the mean norm of the rows in use, b = their mean bias - w . mean(a) + TM_HEAD_IMPRINT_OFFSET.
// The caller checks `cls` and that some label is `cls`.
void tm_head_imprint(tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n,
                     const int8_t *anchors, size_t n_anchors);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_PERSONALIZE_TM_HEAD_H_
