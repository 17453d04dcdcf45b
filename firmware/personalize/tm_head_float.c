// SPDX-License-Identifier: Apache-2.0
// The trainable head in float32 (cores with an FPU), the interface of tm_head.h.
// Every operation is a plain IEEE float32 add, multiply or divide in a fixed
// order (built with -ffp-contract=off), with exp and square root written here,
// so the host's build of this file computes the same bits as the device's.
#include <string.h>

#include "tm_head.h"

#if TM_HEAD_FIXED
#error "tm_head_float.c is the float twin: this configuration is fixed point (tm_head_fixed.c)"
#endif

// e^x for x <= 0: x = k ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^7/7!
// (relative error below 2e-7 there), times 2^k from the exponent bits.
static float tm_head_exp(float x) {
  if (x < -87.0f) return 0.0f;
  int32_t k = (int32_t)(x * 1.44269504f - 0.5f);  // round to nearest (x <= 0: truncation goes up)
  float r = x - (float)k * 0.693147181f;
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f
                  + r * (0.00138888892f + r * 0.000198412701f))))));
  union {
    uint32_t u;
    float f;
  } two_k = {(uint32_t)(k + 127) << 23};  // k >= -126: a normal power of two
  return p * two_k.f;
}

// sqrt(x) for x >= 0: a first guess from the exponent bits (within 6 %), then four Newton steps.
static float tm_head_sqrt(float x) {
  if (x <= 0.0f) return 0.0f;
  union {
    float f;
    uint32_t u;
  } y = {x};
  y.u = (y.u >> 1) + 0x1fc00000u;
  for (int i = 0; i < 4; i++) y.f = 0.5f * (y.f + x / y.f);
  return y.f;
}

static void tm_head_embed(const int8_t *q, float *e) {
  for (size_t i = 0; i < TM_HEAD_DIM; i++) e[i] = (float)((int32_t)q[i] - TM_HEAD_EMBED_ZERO_POINT) * TM_HEAD_EMBED_SCALE;
}

static void tm_head_logits(const tm_head_t *h, const float *e, float *z) {
  for (uint32_t c = 0; c < h->classes; c++) {
    const float *w = h->w + c * TM_HEAD_DIM;
    float acc = 0.0f;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) acc += w[i] * e[i];
    z[c] = acc + h->b[c];
  }
}

static uint32_t tm_head_argmax(const float *z, uint32_t n) {
  uint32_t best = 0;
  for (uint32_t c = 1; c < n; c++) {
    if (z[c] > z[best]) best = c;
  }
  return best;
}

int tm_head_classify(const tm_head_t *h, const int8_t *q, float *logits) {
  float e[TM_HEAD_DIM];
  tm_head_embed(q, e);
  tm_head_logits(h, e, logits);
  return (int)tm_head_argmax(logits, h->classes);
}

int tm_head_probabilities(const tm_head_t *h, const int8_t *q, float *p) {
  float e[TM_HEAD_DIM], sum = 0.0f;
  tm_head_embed(q, e);
  tm_head_logits(h, e, p);
  uint32_t best = tm_head_argmax(p, h->classes);
  float top = p[best];
  for (uint32_t c = 0; c < h->classes; c++) {
    p[c] = tm_head_exp(p[c] - top);
    sum += p[c];
  }
  for (uint32_t c = 0; c < h->classes; c++) p[c] = p[c] / sum;
  return (int)best;
}

void tm_head_step(tm_head_t *h, const int8_t *q, uint32_t label, float lr) {
  float e[TM_HEAD_DIM], p[TM_HEAD_MAX_CLASSES], sum = 0.0f;
  tm_head_embed(q, e);
  tm_head_logits(h, e, p);
  float top = p[tm_head_argmax(p, h->classes)];
  for (uint32_t c = 0; c < h->classes; c++) {
    p[c] = tm_head_exp(p[c] - top);
    sum += p[c];
  }
  for (uint32_t c = 0; c < h->classes; c++) {
    float g = p[c] / sum - (c == label ? 1.0f : 0.0f);
    float s = lr * g;
    float *w = h->w + c * TM_HEAD_DIM;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) w[i] -= s * e[i];
    h->b[c] -= s;
  }
}

// The class of the model's own (rows < TM_HEAD_CLASSES) the head gives most of the embeddings at `q`
// labelled `cls` (ties to the lower), and their mean into `mean`; how many there were into `count`.
static uint32_t tm_head_confused(const tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n,
                                 float *mean, size_t *count) {
  float e[TM_HEAD_DIM], z[TM_HEAD_MAX_CLASSES];
  uint32_t votes[TM_HEAD_CLASSES] = {0}, best = 0;
  *count = 0;
  for (size_t k = 0; k < n; k++) {
    if (labels[k] != cls) continue;
    tm_head_embed(q + k * TM_HEAD_DIM, e);
    tm_head_logits(h, e, z);
    votes[tm_head_argmax(z, TM_HEAD_CLASSES)]++;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) mean[i] += e[i];
    (*count)++;
  }
  for (size_t i = 0; i < TM_HEAD_DIM; i++) mean[i] = mean[i] / (float)*count;
  for (uint32_t c = 1; c < TM_HEAD_CLASSES; c++) {
    if (votes[c] > votes[best]) best = c;
  }
  return best;
}

// The largest other logit minus the new row's (w) for embedding `q`: the bias at which the row ties.
static float tm_head_gap(const tm_head_t *h, uint32_t cls, const float *w, const int8_t *q) {
  float e[TM_HEAD_DIM], z[TM_HEAD_MAX_CLASSES], own = 0.0f, top = 0.0f;
  int any = 0;
  tm_head_embed(q, e);
  tm_head_logits(h, e, z);
  for (uint32_t c = 0; c < h->classes; c++) {
    if (c == cls) continue;
    if (!any || z[c] > top) top = z[c];
    any = 1;
  }
  for (size_t i = 0; i < TM_HEAD_DIM; i++) own += w[i] * e[i];
  return top - own;
}

void tm_head_imprint(tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n) {
  float mean[TM_HEAD_DIM] = {0}, d[TM_HEAD_DIM], v[TM_HEAD_DIM], w[TM_HEAD_DIM];
  float alpha = 0.0f, norm2 = 0.0f, bias = 0.0f;
  size_t count;
  uint32_t conf = tm_head_confused(h, cls, q, labels, n, mean, &count);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) d[i] = mean[i] - (TM_HEAD_CLASS_MEANS ? tm_head_class_mean[conf * TM_HEAD_DIM + i] : 0.0f);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) {
    float acc = 0.0f;
    for (size_t j = 0; j < TM_HEAD_DIM; j++) acc += tm_head_precision[i * TM_HEAD_DIM + j] * d[j];
    v[i] = acc;
    norm2 += acc * acc;
  }
  for (uint32_t c = 0; c < h->classes; c++) {
    if (c == cls) continue;
    const float *row = h->w + c * TM_HEAD_DIM;
    float row2 = 0.0f;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) row2 += row[i] * row[i];
    alpha += tm_head_sqrt(row2);
  }
  alpha /= (float)(h->classes - (cls < h->classes));
  float norm = tm_head_sqrt(norm2);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) w[i] = h->w[conf * TM_HEAD_DIM + i] + (norm > 0.0f ? alpha * (v[i] / norm) : 0.0f);
  if (TM_PERSONALIZE_IMPRINT_ANCHORS > TM_PERSONALIZE_IMPRINT_RANK) {
    // the rank+1 smallest gaps over the imprint anchors
    float low[TM_PERSONALIZE_IMPRINT_RANK + 1];
    size_t kept = 0;
    for (size_t a = 0; a < TM_PERSONALIZE_IMPRINT_ANCHORS; a++) {
      float g = tm_head_gap(h, cls, w, tm_head_imprint_anchor_q + a * TM_HEAD_DIM);
      if (kept == TM_PERSONALIZE_IMPRINT_RANK + 1 && !(g < low[kept - 1])) continue;
      size_t at = kept < TM_PERSONALIZE_IMPRINT_RANK + 1 ? kept++ : kept - 1;
      for (; at > 0 && g < low[at - 1]; at--) low[at] = low[at - 1];
      low[at] = g;
    }
    // halfway to the next lower gap, so float rounding cannot move the tie at either onto the other side
    bias = TM_PERSONALIZE_IMPRINT_RANK ? 0.5f * (low[TM_PERSONALIZE_IMPRINT_RANK - 1] + low[TM_PERSONALIZE_IMPRINT_RANK])
                                       : low[0] - 1.0f;
  } else {
    int first = 1;
    for (size_t k = 0; k < n; k++) {
      if (labels[k] != cls) continue;
      float g = tm_head_gap(h, cls, w, q + k * TM_HEAD_DIM) + 1.0f;
      if (first || g > bias) bias = g;
      first = 0;
    }
  }
  memcpy(h->w + cls * TM_HEAD_DIM, w, sizeof w);
  h->b[cls] = bias;
  if (cls == h->classes) h->classes++;
}
