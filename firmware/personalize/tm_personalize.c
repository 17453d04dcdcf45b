// SPDX-License-Identifier: Apache-2.0
// The harness commands of a personalization build (rows of
// toolchain/harness_protocol.py; their usage and replies are generated into
// tm_protocol.h). The frozen backbone runs on the loaded input and hands its
// embedding to tm_personalize_embedding (a call the AOT code emits after the
// layer that makes it); `learn` and `hold` store it with a label, `train`
// runs SGD over the stored examples in the order they came, `imprint` adds a
// class from them, `score` classifies the held-back ones with the current
// head, `classify` the loaded input (the head's own commands:
// tm_personalize_head.c). The update rules and the head's arithmetic are
// tm_head.h's (SGD with its anchors: tm_head_train.c). Once the head has
// learned, every inference answers with it (tm_personalize_output). Errors
// answer e-[...] and keep every stored example.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tm_harness.h"
#include "tm_harness_io.h"
#include "tm_head.h"
#include "tm_model.h"
#include "tm_personalize.h"
#include "tm_port.h"
#include "tm_protocol.h"

// Embeddings one after the other (TM_HEAD_DIM values each), as tm_head_imprint takes them, and their labels.
#define TM_PERSONALIZE_STORE(capacity) \
  struct {                              \
    int8_t q[(capacity) * TM_HEAD_DIM];  \
    uint8_t label[capacity];            \
    uint32_t count;                     \
  }

_Static_assert(TM_HEAD_MAX_CLASSES <= 255, "labels are stored in a byte");

static TM_PERSONALIZE_STORE(TM_PERSONALIZE_MAX_EXAMPLES) tm_personalize_learned;
static TM_PERSONALIZE_STORE(TM_PERSONALIZE_MAX_HELD) tm_personalize_held;
static int8_t tm_personalize_seen[TM_HEAD_DIM];  // the last inference's embedding
static int tm_personalize_have_seen;

void tm_personalize_embedding(const int8_t *embedding) {
  memcpy(tm_personalize_seen, embedding, TM_HEAD_DIM);
  tm_personalize_have_seen = 1;
}

void tm_personalize_output(int8_t *output, size_t count, float scale, int32_t zero_point) {
  const tm_head_t *head = tm_personalize_current();
  if (head && tm_personalize_have_seen) tm_head_output(head, tm_personalize_seen, output, count, scale, zero_point);
}

// The embedding of the loaded input (one inference); 0 and an error printed when there is none.
static int tm_personalize_embed(const char *command) {
  tm_personalize_have_seen = 0;
  const char *why = tm_harness_invoke_input();
  if (why) {
    tm_harness_io_puts(TM_REPLY_ERROR "[");
    tm_harness_io_puts(command);
    tm_harness_io_puts(": ");
    tm_harness_io_puts(why);
    tm_harness_io_puts("]\n");
    return 0;
  }
  if (!tm_personalize_have_seen) {
    tm_personalize_error("the model did not report its embedding: not a personalization build of this model");
    return 0;
  }
  return 1;
}

// A label argument: a class of the head, or the next new one; -1 and an error printed when it is neither.
static int32_t tm_personalize_label(const char *args, const char *command) {
  int32_t label = tm_harness_io_parse_u31(&args);
  if (label < 0 || *args) {
    tm_harness_io_puts(TM_REPLY_ERROR "[");
    tm_harness_io_puts(command);
    tm_harness_io_puts(" needs a class number]\n");
    return -1;
  }
  if ((uint32_t)label > tm_personalize_head.classes || label >= TM_HEAD_MAX_CLASSES) {
    tm_harness_io_puts(TM_REPLY_ERROR "[");
    tm_harness_io_puts(command);
    tm_harness_io_puts(": unknown class ");
    tm_harness_io_put_u32((uint32_t)label);
    tm_harness_io_puts(": the head has ");
    tm_harness_io_put_u32(tm_personalize_head.classes);
    tm_harness_io_puts(" (a new class takes the next number, up to ");
    tm_harness_io_put_u32(TM_HEAD_MAX_CLASSES - 1);
    tm_harness_io_puts(")]\n");
    return -1;
  }
  return label;
}

// `learn L%` and `hold L%`: the loaded input's embedding stored with class L in `store`.
static void tm_personalize_store(const char *args, const char *command, const char *reply, int8_t *q,
                                 uint8_t *labels, uint32_t *count, uint32_t capacity) {
  if (!tm_personalize_head_ok(command)) return;
  int32_t label = tm_personalize_label(args, command);
  if (label < 0) return;
  if (*count >= capacity) {
    tm_harness_io_puts(TM_REPLY_ERROR "[");
    tm_harness_io_puts(command);
    tm_harness_io_puts(": the store is full (");
    tm_harness_io_put_u32(capacity);
    tm_harness_io_puts(" examples): train or score now, then " TM_USAGE_EXAMPLES_CLEAR "]\n");
    return;
  }
  if (!tm_personalize_embed(command)) return;
  float logits[TM_HEAD_MAX_CLASSES];
  int predicted = tm_head_classify(&tm_personalize_head, tm_personalize_seen, logits);
  memcpy(q + *count * TM_HEAD_DIM, tm_personalize_seen, TM_HEAD_DIM);
  labels[(*count)++] = (uint8_t)label;
  const uint32_t stored[] = {*count - 1, (uint32_t)label, (uint32_t)predicted};
  tm_harness_io_list(reply, stored, 3);
  tm_harness_io_puts(TM_REPLY_EMBEDDING "[");
  tm_personalize_put_hex((const uint8_t *)tm_personalize_seen, TM_HEAD_DIM);
  tm_harness_io_puts("]\n");
}

void tm_personalize_learn(const char *args) {
  tm_personalize_store(args, TM_CMD_LEARN, TM_REPLY_LEARN, tm_personalize_learned.q, tm_personalize_learned.label,
                       &tm_personalize_learned.count, TM_PERSONALIZE_MAX_EXAMPLES);
}

void tm_personalize_hold(const char *args) {
  tm_personalize_store(args, TM_CMD_HOLD, TM_REPLY_HOLD, tm_personalize_held.q, tm_personalize_held.label,
                       &tm_personalize_held.count, TM_PERSONALIZE_MAX_HELD);
}

void tm_personalize_train(const char *args) {
  int32_t epochs = tm_harness_io_parse_u31(&args), micro = -1;
  if (*args == ' ') {
    args++;
    micro = tm_harness_io_parse_u31(&args);
    if (micro <= 0) epochs = -1;
  }
  if (epochs <= 0 || *args) {
    tm_personalize_error("train needs a number of epochs and, optionally, the learning rate in millionths: "
                         TM_USAGE_TRAIN);
    return;
  }
  if (!tm_personalize_head_ok(TM_CMD_TRAIN)) return;
  if (!tm_personalize_learned.count) {
    tm_personalize_error("train: no stored examples: " TM_USAGE_LEARN " first");
    return;
  }
  for (uint32_t i = 0; i < tm_personalize_learned.count; i++) {
    if (tm_personalize_learned.label[i] >= tm_personalize_head.classes) {
      tm_personalize_error_n("train: class ", tm_personalize_learned.label[i],
                             " has no row in the head yet: " TM_USAGE_IMPRINT " it first");
      return;
    }
  }
  float lr = micro > 0 ? (float)micro / 1000000.0f : TM_PERSONALIZE_LR;
  tm_port_ticks_sync();
  uint32_t t0 = tm_port_ticks();
  uint32_t steps = tm_head_train(&tm_personalize_head, tm_personalize_learned.q, tm_personalize_learned.label,
                                 tm_personalize_learned.count, (uint32_t)epochs, lr);
  tm_personalize_changed();
  uint32_t ticks = tm_port_ticks() - t0;
  const uint32_t trained[] = {(uint32_t)epochs, steps, ticks};
  tm_harness_io_list(TM_REPLY_TRAIN, trained, 3);
}

void tm_personalize_imprint(const char *args) {
  if (!tm_personalize_head_ok(TM_CMD_IMPRINT)) return;
  int32_t label = tm_personalize_label(args, TM_CMD_IMPRINT);
  if (label < 0) return;
  if ((uint32_t)label < TM_HEAD_CLASSES) {
    tm_personalize_error_n("imprint: class ", (uint32_t)label, " is one of the model's own: imprint adds a new class");
    return;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < tm_personalize_learned.count; i++) n += tm_personalize_learned.label[i] == (uint32_t)label;
  if (!n) {
    tm_personalize_error_n("imprint: no stored examples of class ", (uint32_t)label, ": learn them first");
    return;
  }
  tm_port_ticks_sync();
  uint32_t t0 = tm_port_ticks();
  tm_head_imprint(&tm_personalize_head, (uint32_t)label, tm_personalize_learned.q, tm_personalize_learned.label,
                  tm_personalize_learned.count);
  tm_personalize_changed();
  uint32_t ticks = tm_port_ticks() - t0;
  const uint32_t imprinted[] = {(uint32_t)label, n, ticks};
  tm_harness_io_list(TM_REPLY_IMPRINT, imprinted, 3);
}

void tm_personalize_score(const char *args) {
  (void)args;
  if (!tm_personalize_head_ok(TM_CMD_SCORE)) return;
  if (!tm_personalize_held.count) {
    tm_personalize_error("score: no held-back examples: " TM_USAGE_HOLD " first");
    return;
  }
  float logits[TM_HEAD_MAX_CLASSES];
  uint32_t correct = 0;
  tm_harness_io_puts(TM_REPLY_PREDICTED "[");
  for (uint32_t i = 0; i < tm_personalize_held.count; i++) {
    int c = tm_head_classify(&tm_personalize_head, tm_personalize_held.q + i * TM_HEAD_DIM, logits);
    correct += (uint32_t)c == tm_personalize_held.label[i];
    if (i) tm_port_putc(',');
    tm_harness_io_put_u32((uint32_t)c);
  }
  tm_harness_io_puts("]\n");
  const uint32_t score[] = {correct, tm_personalize_held.count};
  tm_harness_io_list(TM_REPLY_SCORE, score, 2);
}

void tm_personalize_classify(const char *args) {
  (void)args;
  if (!tm_personalize_head_ok(TM_CMD_CLASSIFY) || !tm_personalize_embed(TM_CMD_CLASSIFY)) return;
  float logits[TM_HEAD_MAX_CLASSES];
  int c = tm_head_classify(&tm_personalize_head, tm_personalize_seen, logits);
  tm_harness_io_puts(TM_REPLY_LOGITS "[");
  for (uint32_t i = 0; i < tm_personalize_head.classes; i++) {
    if (i) tm_port_putc(',');
    tm_harness_io_put_float(logits[i]);
  }
  tm_harness_io_puts("]\n");
  tm_harness_io_puts(TM_REPLY_CLASSIFY "[");
  tm_harness_io_put_u32((uint32_t)c);
  tm_harness_io_puts("]\n" TM_REPLY_EMBEDDING "[");
  tm_personalize_put_hex((const uint8_t *)tm_personalize_seen, TM_HEAD_DIM);
  tm_harness_io_puts("]\n");
}

static void tm_personalize_put_examples(void) {
  const uint32_t counts[] = {tm_personalize_learned.count, tm_personalize_held.count};
  tm_harness_io_list(TM_REPLY_EXAMPLES, counts, 2);
}

void tm_personalize_examples(const char *args) {
  (void)args;
  tm_personalize_put_examples();
}

void tm_personalize_examples_clear(const char *args) {
  (void)args;
  tm_personalize_learned.count = 0;
  tm_personalize_held.count = 0;
  tm_personalize_put_examples();
}
