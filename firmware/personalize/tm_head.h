// SPDX-License-Identifier: Apache-2.0
// The trainable head of a personalization build: a copy of the model's last
// FULLY_CONNECTED layer, W[classes][TM_HEAD_DIM] and b[classes], learning from
// the int8 embeddings (that layer's input) the frozen backbone computes.
// Two twins implement this interface, the build links one of them:
// tm_head_float.c (float32, cores with an FPU) and tm_head_fixed.c (int32
// fixed point with TM_HEAD_FRAC_BITS fraction bits, cores without one), and
// tm_head_train.c and tm_head_output.c build on either. All are also
// compiled for the host (toolchain/personalize/replay.py), so the
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

// The head's class probabilities (softmax of its logits) for embedding `q` into `p`; the class.
int tm_head_probabilities(const tm_head_t *h, const int8_t *q, float *p);

// The model's int8 output (`count` classes, quantized by `scale` and `zero_point`) as the head gives it
// for embedding `q` (tm_head_output.c): each probability over the scale, rounded half up, plus the zero
// point, clamped to int8. Nothing is written when `count` is not the model's TM_HEAD_CLASSES.
void tm_head_output(const tm_head_t *h, const int8_t *q, int8_t *output, size_t count, float scale, int32_t zero_point);

// One SGD step on the cross-entropy of embedding `q` with class `label`, learning rate `lr`.
void tm_head_step(tm_head_t *h, const int8_t *q, uint32_t label, float lr);

// Row `cls` (== h->classes: a new class; or an imprinted one again) from those of the `n` embeddings
// at `q` (TM_HEAD_DIM values each) whose label is `cls`, without backpropagation. The row starts as
// the row of the model's class the head gives most of them ("confused", ties to the lower), plus a
// discriminant: v = P (mean(e) - m[confused]), P the inverse within-class covariance and m the class
// means of the training pool (tm_head_precision, tm_head_class_mean), scaled to alpha, the mean norm
// of the rows in use. The bias: with the imprint anchors' gaps (the largest other logit minus the new
// row's, tm_head_imprint_anchor_q) sorted, halfway between the TM_PERSONALIZE_IMPRINT_RANK-th and the
// next, so the row takes that many of them (rank 0: one logit below the smallest gap); without imprint
// anchors, the bias at which it takes its own examples by one logit.
// The caller checks `cls` and that some label is `cls`.
void tm_head_imprint(tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n);

// `epochs` epochs of SGD (tm_head_train.c): every one of the `n` stored embeddings at `q` in order,
// each followed by TM_PERSONALIZE_ANCHOR_RATIO steps on the anchors (one cursor cycling through them
// across examples and epochs); the rate starts at `lr` and is multiplied by TM_PERSONALIZE_LR_DECAY
// after each epoch; then, with TM_PERSONALIZE_FINAL_ANCHOR_PASS, one step on every anchor in order at
// the last epoch's rate. The steps taken.
uint32_t tm_head_train(tm_head_t *h, const int8_t *q, const uint8_t *labels, size_t n, uint32_t epochs, float lr);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_PERSONALIZE_TM_HEAD_H_
