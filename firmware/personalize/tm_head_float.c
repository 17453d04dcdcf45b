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

void tm_head_reset(tm_head_t *h) {
  memset(h, 0, sizeof *h);
  memcpy(h->w, tm_head_factory_w, sizeof tm_head_factory_w);
  memcpy(h->b, tm_head_factory_b, sizeof tm_head_factory_b);
  h->classes = TM_HEAD_CLASSES;
}

int tm_head_classify(const tm_head_t *h, const int8_t *q, float *logits) {
  float e[TM_HEAD_DIM];
  tm_head_embed(q, e);
  tm_head_logits(h, e, logits);
  return (int)tm_head_argmax(logits, h->classes);
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

// The sum of e / |e| over the embeddings at `q` whose label is `cls` (all when `labels` is NULL) into
// `unit`, of e into `sum` (when not NULL); how many there were.
static size_t tm_head_unit_sum(const int8_t *q, const uint8_t *labels, size_t n, uint32_t cls, float *unit,
                               float *sum) {
  float e[TM_HEAD_DIM];
  size_t count = 0;
  for (size_t k = 0; k < n; k++) {
    if (labels && labels[k] != cls) continue;
    count++;
    float norm2 = 0.0f;
    tm_head_embed(q + k * TM_HEAD_DIM, e);
    for (size_t i = 0; i < TM_HEAD_DIM; i++) norm2 += e[i] * e[i];
    float norm = tm_head_sqrt(norm2);
    for (size_t i = 0; i < TM_HEAD_DIM; i++) {
      if (norm > 0.0f) unit[i] += e[i] / norm;
      if (sum) sum[i] += e[i];
    }
  }
  return count;
}

void tm_head_imprint(tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n,
                     const int8_t *anchors, size_t n_anchors) {
  float d[TM_HEAD_DIM] = {0}, u[TM_HEAD_DIM] = {0}, centre[TM_HEAD_DIM] = {0};
  float alpha = 0.0f, bias = 0.0f, norm2 = 0.0f, dot = 0.0f;
  size_t count = tm_head_unit_sum(q, labels, n, cls, d, NULL);
  tm_head_unit_sum(anchors, NULL, n_anchors, 0, u, centre);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) {
    d[i] = d[i] / (float)count;
    if (n_anchors) {
      d[i] -= u[i] / (float)n_anchors;
      centre[i] = centre[i] / (float)n_anchors;
    }
    norm2 += d[i] * d[i];
  }
  for (uint32_t c = 0; c < h->classes; c++) {
    const float *w = h->w + c * TM_HEAD_DIM;
    float row2 = 0.0f;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) row2 += w[i] * w[i];
    alpha += tm_head_sqrt(row2);
    bias += h->b[c];
  }
  alpha /= (float)h->classes;
  float norm = tm_head_sqrt(norm2);
  float *w = h->w + cls * TM_HEAD_DIM;
  for (size_t i = 0; i < TM_HEAD_DIM; i++) {
    w[i] = norm > 0.0f ? alpha * (d[i] / norm) : 0.0f;
    dot += w[i] * centre[i];
  }
  h->b[cls] = bias / (float)h->classes - dot + TM_HEAD_IMPRINT_OFFSET;
  if (cls == h->classes) h->classes++;
}
