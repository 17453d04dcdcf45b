// SPDX-License-Identifier: Apache-2.0
// Pooling for Cortex-M with the DSP extension: when the channels are whole
// words, four channels per word. MAX keeps a per-byte signed maximum
// (SSUB8 sets the GE flags, SEL picks the larger bytes); AVERAGE sums with
// SXTAB16 into two int16x2 lanes (windows up to 255 taps, so |sum| <=
// 255 * 128 < 2^15), then divides per channel as the reference does.
// Other shapes use the reference loops.
// Hot loops: keep -O2 code generation when the project builds with -Os.
#pragma GCC optimize("O2")

#include "kernels/pooling.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/pooling.h"

// Per-byte signed maximum of a and b.
static inline uint32_t pool_max4(uint32_t a, uint32_t b) {
  uint32_t t, r;
  __asm__("ssub8 %0, %2, %3\n\tsel %1, %2, %3" : "=&r"(t), "=r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

// acc + bytes 1 and 3 of v, sign-extended into the two int16 lanes.
static inline int32_t pool_add_odd(int32_t acc, uint32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(v));
  return r;
}

// Rounded mean (half away from zero) of a lane sum, clamped.
static inline int8_t pool_mean(int32_t acc, int count, int32_t lo, int32_t hi) {
  acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
  return (int8_t)tm_ref_pool_clip(acc, lo, hi);
}

static void pool_words(const tm_pooling_params_t *p, const int8_t *in, int8_t *out, int is_max) {
  const int cc = p->channels, in_w = p->in_w;
  const int32_t lo = p->act_min, hi = p->act_max;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    const int ky0 = tm_ref_pool_clip(-y0, 0, p->k_h), ky1 = tm_ref_pool_clip(p->in_h - y0, 0, p->k_h);
    for (int ox = 0; ox < p->out_w; ++ox, out += cc) {
      const int x0 = ox * p->stride_w - p->pad_left;
      const int kx0 = tm_ref_pool_clip(-x0, 0, p->k_w), kx1 = tm_ref_pool_clip(in_w - x0, 0, p->k_w);
      const int count = (ky1 - ky0) * (kx1 - kx0);
      for (int c = 0; c < cc; c += 4) {
        // Bound: at most 255 taps of |v| <= 128 per int16 lane.
        uint32_t m = 0x80808080u;
        int32_t e = 0, o = 0;
        for (int ky = ky0; ky < ky1; ++ky) {
          const int8_t *src = in + ((int32_t)(y0 + ky) * in_w + x0 + kx0) * cc + c;
          for (int kx = kx0; kx < kx1; ++kx, src += cc) {
            const uint32_t v = tm_dsp_load4(src);
            if (is_max) {
              m = pool_max4(v, m);
            } else {
              e = __sxtab16(e, v);
              o = pool_add_odd(o, v);
            }
          }
        }
        if (is_max) {
          for (int k = 0; k < 4; ++k) out[c + k] = (int8_t)tm_ref_pool_clip((int8_t)(m >> (8 * k)), lo, hi);
        } else {
          out[c] = pool_mean((int16_t)e, count, lo, hi);
          out[c + 1] = pool_mean((int16_t)o, count, lo, hi);
          out[c + 2] = pool_mean(e >> 16, count, lo, hi);
          out[c + 3] = pool_mean(o >> 16, count, lo, hi);
        }
      }
    }
  }
}

// True when the word loops apply: whole-word channels, windows of 1..255
// taps, padding smaller than the window.
static int pool_words_ok(const tm_pooling_params_t *p) {
  const int32_t taps = (int32_t)p->k_h * p->k_w;
  const int no_empty = p->pad_top < p->k_h && p->pad_left < p->k_w;
  return (p->channels & 3) == 0 && taps >= 1 && taps <= 255 && no_empty;
}

void tm_pooling_average(const tm_pooling_params_t *p, const int8_t *in, int8_t *out) {
  if (pool_words_ok(p)) {
    pool_words(p, in, out, 0);
  } else {
    tm_ref_pool(p, in, out, 0);
  }
}

void tm_pooling_max(const tm_pooling_params_t *p, const int8_t *in, int8_t *out) {
  if (pool_words_ok(p)) {
    pool_words(p, in, out, 1);
  } else {
    tm_ref_pool(p, in, out, 1);
  }
}
