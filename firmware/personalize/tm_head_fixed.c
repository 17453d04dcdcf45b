// SPDX-License-Identifier: Apache-2.0
// The trainable head in int32 fixed point (cores without an FPU), the interface
// of tm_head.h. Weights, biases, embeddings, logits and probabilities are
// Q(TM_HEAD_FRAC_BITS) numbers in int32; products accumulate in int64, and
// every narrowing shift rounds half up. Float appears only in the logits
// tm_head_classify reports and the learning rate tm_head_step takes, each
// converted once per call.
#include <string.h>

#include "tm_head.h"

#if !TM_HEAD_FIXED
#error "tm_head_fixed.c is the fixed-point twin: this configuration is float (tm_head_float.c)"
#endif

#define TM_HEAD_ONE ((int32_t)1 << TM_HEAD_FRAC_BITS)

// x / 2^s, rounded half up (s >= 1); an arithmetic shift of a negative int64, as GCC does on every target.
static int64_t tm_head_round_shift(int64_t x, int s) {
  return (x + ((int64_t)1 << (s - 1))) >> s;
}

// 2^x for x <= 0 in Q(TM_HEAD_FRAC_BITS): x = n + f with f in [0, 1); 2^f by a cubic in Q30
// (least squares with both ends exact: within 2e-4 of 2^f on [0, 1)), shifted right by -n.
static int32_t tm_head_exp2(int32_t x) {
  int32_t n = x >> TM_HEAD_FRAC_BITS;  // floor
  int64_t f = (int64_t)(x - n * TM_HEAD_ONE) << (30 - TM_HEAD_FRAC_BITS);  // Q30 in [0, 2^30)
  // 2^f ~ 1 + f (0.69592847 + f (0.22494631 + f 0.07912522)): coefficients in Q30
  int64_t p = 84960056;
  p = 241534262 + tm_head_round_shift(p * f, 30);
  p = 747247505 + tm_head_round_shift(p * f, 30);
  p = ((int64_t)1 << 30) + tm_head_round_shift(p * f, 30);
  int shift = 30 - TM_HEAD_FRAC_BITS - n;  // n <= 0
  return shift >= 62 ? 0 : (int32_t)tm_head_round_shift(p, shift);
}

// e^x for x <= 0 in Q(TM_HEAD_FRAC_BITS): 2^(x log2 e), log2 e in Q30.
static int32_t tm_head_exp(int32_t x) {
  return tm_head_exp2((int32_t)tm_head_round_shift((int64_t)x * 1549082005, 30));
}

// floor(sqrt(x)), bit by bit.
static uint64_t tm_head_isqrt(uint64_t x) {
  uint64_t r = 0, bit = (uint64_t)1 << 62;
  while (bit > x) bit >>= 2;
  while (bit) {
    if (x >= r + bit) {
      x -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return r;
}

// The embedding in Q(TM_HEAD_FRAC_BITS): (q - zero point) * scale, the scale in Q(TM_HEAD_EMBED_SCALE_BITS).
static void tm_head_embed(const int8_t *q, int32_t *e) {
  for (size_t i = 0; i < TM_HEAD_DIM; i++) {
    int64_t x = (int64_t)((int32_t)q[i] - TM_HEAD_EMBED_ZERO_POINT) * TM_HEAD_EMBED_SCALE_Q;
    e[i] = (int32_t)tm_head_round_shift(x, TM_HEAD_EMBED_SCALE_BITS - TM_HEAD_FRAC_BITS);
  }
}

static void tm_head_logits(const tm_head_t *h, const int32_t *e, int32_t *z) {
  for (uint32_t c = 0; c < h->classes; c++) {
    const int32_t *w = h->w + c * TM_HEAD_DIM;
    int64_t acc = 0;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) acc += (int64_t)w[i] * e[i];
    z[c] = (int32_t)tm_head_round_shift(acc, TM_HEAD_FRAC_BITS) + h->b[c];
  }
}

static uint32_t tm_head_argmax(const int32_t *z, uint32_t n) {
  uint32_t best = 0;
  for (uint32_t c = 1; c < n; c++) {
    if (z[c] > z[best]) best = c;
  }
  return best;
}

int tm_head_classify(const tm_head_t *h, const int8_t *q, float *logits) {
  int32_t e[TM_HEAD_DIM], z[TM_HEAD_MAX_CLASSES];
  tm_head_embed(q, e);
  tm_head_logits(h, e, z);
  for (uint32_t c = 0; c < h->classes; c++) logits[c] = (float)z[c] / (float)TM_HEAD_ONE;
  return (int)tm_head_argmax(z, h->classes);
}

int tm_head_probabilities(const tm_head_t *h, const int8_t *q, float *p) {
  int32_t e[TM_HEAD_DIM], z[TM_HEAD_MAX_CLASSES];
  int64_t sum = 0;
  tm_head_embed(q, e);
  tm_head_logits(h, e, z);
  uint32_t best = tm_head_argmax(z, h->classes);
  int32_t top = z[best];
  for (uint32_t c = 0; c < h->classes; c++) {
    z[c] = tm_head_exp(z[c] - top);
    sum += z[c];
  }
  for (uint32_t c = 0; c < h->classes; c++) {
    p[c] = (float)(int32_t)(((int64_t)z[c] * TM_HEAD_ONE + sum / 2) / sum) / (float)TM_HEAD_ONE;
  }
  return (int)best;
}

void tm_head_step(tm_head_t *h, const int8_t *q, uint32_t label, float lr) {
  int32_t e[TM_HEAD_DIM], p[TM_HEAD_MAX_CLASSES];
  int64_t sum = 0;
  int32_t rate = (int32_t)(lr * (float)TM_HEAD_ONE + 0.5f);
  tm_head_embed(q, e);
  tm_head_logits(h, e, p);
  int32_t top = p[tm_head_argmax(p, h->classes)];
  for (uint32_t c = 0; c < h->classes; c++) {
    p[c] = tm_head_exp(p[c] - top);  // in (0, 1]: the top class's is 1
    sum += p[c];
  }
  for (uint32_t c = 0; c < h->classes; c++) {
    int32_t g = (int32_t)(((int64_t)p[c] * TM_HEAD_ONE + sum / 2) / sum) - (c == label ? TM_HEAD_ONE : 0);
    int32_t s = (int32_t)tm_head_round_shift((int64_t)rate * g, TM_HEAD_FRAC_BITS);
    int32_t *w = h->w + c * TM_HEAD_DIM;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) w[i] -= (int32_t)tm_head_round_shift((int64_t)s * e[i], TM_HEAD_FRAC_BITS);
    h->b[c] -= s;
  }
}

// The class of the model's own (rows < TM_HEAD_CLASSES) the head gives most of the embeddings at `q`
// labelled `cls` (ties to the lower), and their mean into `mean` (Q(TM_HEAD_FRAC_BITS), the sum divided
// rounding toward zero); how many there were into `count`.
static uint32_t tm_head_confused(const tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n,
                                 int32_t *mean, int64_t *count) {
  int32_t e[TM_HEAD_DIM], z[TM_HEAD_MAX_CLASSES];
  int64_t sum[TM_HEAD_DIM] = {0};
  uint32_t votes[TM_HEAD_CLASSES] = {0}, best = 0;
  *count = 0;
  for (size_t k = 0; k < n; k++) {
    if (labels[k] != cls) continue;
    tm_head_embed(q + k * TM_HEAD_DIM, e);
    tm_head_logits(h, e, z);
    votes[tm_head_argmax(z, TM_HEAD_CLASSES)]++;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) sum[i] += e[i];
    (*count)++;
  }
  for (size_t i = 0; i < TM_HEAD_DIM; i++) mean[i] = (int32_t)(sum[i] / *count);
  for (uint32_t c = 1; c < TM_HEAD_CLASSES; c++) {
    if (votes[c] > votes[best]) best = c;
  }
  return best;
}

// The largest other logit minus the new row's (w) for embedding `q`: the bias at which the row ties.
static int32_t tm_head_gap(const tm_head_t *h, uint32_t cls, const int32_t *w, const int8_t *q) {
  int32_t e[TM_HEAD_DIM], z[TM_HEAD_MAX_CLASSES], top = 0;
  int64_t own = 0;
  int any = 0;
  tm_head_embed(q, e);
  tm_head_logits(h, e, z);
  for (uint32_t c = 0; c < h->classes; c++) {
    if (c == cls) continue;
    if (!any || z[c] > top) top = z[c];
    any = 1;
  }
  for (size_t i = 0; i < TM_HEAD_DIM; i++) own += (int64_t)w[i] * e[i];
  return top - (int32_t)tm_head_round_shift(own, TM_HEAD_FRAC_BITS);
}

void tm_head_imprint(tm_head_t *h, uint32_t cls, const int8_t *q, const uint8_t *labels, size_t n) {
  int32_t mean[TM_HEAD_DIM], d[TM_HEAD_DIM], v[TM_HEAD_DIM], w[TM_HEAD_DIM], bias = 0;
  int64_t count, alpha = 0;
  uint64_t norm2 = 0;
  uint32_t conf = tm_head_confused(h, cls, q, labels, n, mean, &count);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) d[i] = mean[i] - (TM_HEAD_CLASS_MEANS ? tm_head_class_mean[conf * TM_HEAD_DIM + i] : 0);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) {
    int64_t acc = 0;  // Q30 times Q(TM_HEAD_FRAC_BITS)
    for (size_t j = 0; j < TM_HEAD_DIM; j++) acc += (int64_t)tm_head_precision[i * TM_HEAD_DIM + j] * d[j];
    v[i] = (int32_t)tm_head_round_shift(acc, 30);
    norm2 += (uint64_t)((int64_t)v[i] * v[i]);
  }
  for (uint32_t c = 0; c < h->classes; c++) {
    if (c == cls) continue;
    const int32_t *row = h->w + c * TM_HEAD_DIM;
    uint64_t row2 = 0;
    for (size_t i = 0; i < TM_HEAD_DIM; i++) row2 += (uint64_t)((int64_t)row[i] * row[i]);
    alpha += (int64_t)tm_head_isqrt(row2);
  }
  alpha /= (int64_t)(h->classes - (cls < h->classes));
  int64_t norm = (int64_t)tm_head_isqrt(norm2);
  for (size_t i = 0; i < TM_HEAD_DIM; i++) w[i] = h->w[conf * TM_HEAD_DIM + i] + (norm > 0 ? (int32_t)((alpha * v[i]) / norm) : 0);
  if (TM_PERSONALIZE_IMPRINT_ANCHORS > TM_PERSONALIZE_IMPRINT_RANK) {
    // the rank+1 smallest gaps over the imprint anchors
    int32_t low[TM_PERSONALIZE_IMPRINT_RANK + 1];
    size_t kept = 0;
    for (size_t a = 0; a < TM_PERSONALIZE_IMPRINT_ANCHORS; a++) {
      int32_t g = tm_head_gap(h, cls, w, tm_head_imprint_anchor_q + a * TM_HEAD_DIM);
      if (kept == TM_PERSONALIZE_IMPRINT_RANK + 1 && g >= low[kept - 1]) continue;
      size_t at = kept < TM_PERSONALIZE_IMPRINT_RANK + 1 ? kept++ : kept - 1;
      for (; at > 0 && g < low[at - 1]; at--) low[at] = low[at - 1];
      low[at] = g;
    }
    // halfway to the next lower gap, as the float twin
    bias = TM_PERSONALIZE_IMPRINT_RANK
               ? (int32_t)(((int64_t)low[TM_PERSONALIZE_IMPRINT_RANK - 1] + low[TM_PERSONALIZE_IMPRINT_RANK]) / 2)
               : low[0] - TM_HEAD_ONE;
  } else {
    int first = 1;
    for (size_t k = 0; k < n; k++) {
      if (labels[k] != cls) continue;
      int32_t g = tm_head_gap(h, cls, w, q + k * TM_HEAD_DIM) + TM_HEAD_ONE;
      if (first || g > bias) bias = g;
      first = 0;
    }
  }
  memcpy(h->w + cls * TM_HEAD_DIM, w, sizeof w);
  h->b[cls] = bias;
  if (cls == h->classes) h->classes++;
}
