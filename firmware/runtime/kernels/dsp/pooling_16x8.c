// SPDX-License-Identifier: Apache-2.0
// Pooling on int16 for Cortex-M with the DSP extension, two channels per
// word when the channel count is even: MAX keeps both in one word (SSUB16
// sets the GE flags, SEL picks the larger halves), then clamps; AVERAGE
// loads both with one LDR and sums them apart in int32 (SXTAH for the low
// half, an arithmetic shift for the high one), then divides as the
// reference does. Odd channel counts use the reference loops.
#include "kernels/pooling_16x8.h"

#include <string.h>

#include "kernels/dsp/dsp_common.h"
#include "reference/pooling_16x8.h"

// Per-halfword signed maximum of a and b.
static inline uint32_t pool16_max2(uint32_t a, uint32_t b) {
  uint32_t t, r;
  __asm__("ssub16 %0, %2, %3\n\tsel %1, %2, %3" : "=&r"(t), "=r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

// Per-halfword signed minimum of a and b.
static inline uint32_t pool16_min2(uint32_t a, uint32_t b) {
  uint32_t t, r;
  __asm__("ssub16 %0, %2, %3\n\tsel %1, %3, %2" : "=&r"(t), "=r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

static void pool16_max_pairs(const tm_pooling_params_t *p, const int16_t *in, int16_t *out) {
  const int cc = p->channels;
  const uint32_t lo = (uint16_t)p->act_min * 0x10001u, hi = (uint16_t)p->act_max * 0x10001u;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    const int ky0 = tm_ref_pool_clip(-y0, 0, p->k_h), ky1 = tm_ref_pool_clip(p->in_h - y0, 0, p->k_h);
    for (int ox = 0; ox < p->out_w; ++ox, out += cc) {
      const int x0 = ox * p->stride_w - p->pad_left;
      const int kx0 = tm_ref_pool_clip(-x0, 0, p->k_w), kx1 = tm_ref_pool_clip(p->in_w - x0, 0, p->k_w);
      for (int c = 0; c < cc; c += 2) {
        uint32_t m = lo;  // the clamp's lower bound doubles as the starting maximum
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *row = in + ((int32_t)(y0 + ky) * p->in_w + x0) * cc + c;
          for (int kx = kx0; kx < kx1; ++kx) {
            uint32_t v;
            memcpy(&v, row + kx * cc, 4);
            m = pool16_max2(m, v);
          }
        }
        m = pool16_min2(m, hi);
        memcpy(out + c, &m, 4);
      }
    }
  }
}

// The reference's rounded mean of `count` valid taps, clamped.
static int16_t pool16_mean(const tm_pooling_params_t *p, int32_t acc, int count) {
  acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
  return (int16_t)tm_ref_pool_clip(acc, p->act_min, p->act_max);
}

static void pool16_average_pairs(const tm_pooling_params_t *p, const int16_t *in, int16_t *out) {
  const int cc = p->channels;
  for (int oy = 0; oy < p->out_h; ++oy) {
    const int y0 = oy * p->stride_h - p->pad_top;
    const int ky0 = tm_ref_pool_clip(-y0, 0, p->k_h), ky1 = tm_ref_pool_clip(p->in_h - y0, 0, p->k_h);
    for (int ox = 0; ox < p->out_w; ++ox, out += cc) {
      const int x0 = ox * p->stride_w - p->pad_left;
      const int kx0 = tm_ref_pool_clip(-x0, 0, p->k_w), kx1 = tm_ref_pool_clip(p->in_w - x0, 0, p->k_w);
      const int count = (ky1 - ky0) * (kx1 - kx0);
      for (int c = 0; c < cc; c += 2) {
        int32_t s0 = 0, s1 = 0;  // int32 as in the reference: exact up to 65,536 taps
        for (int ky = ky0; ky < ky1; ++ky) {
          const int16_t *row = in + ((int32_t)(y0 + ky) * p->in_w + x0) * cc + c;
          for (int kx = kx0; kx < kx1; ++kx) {
            int32_t v;
            memcpy(&v, row + kx * cc, 4);
            s0 += (int16_t)v;
            s1 += v >> 16;
          }
        }
        out[c] = pool16_mean(p, s0, count);
        out[c + 1] = pool16_mean(p, s1, count);
      }
    }
  }
}

void tm_pooling_16x8_average(const tm_pooling_params_t *p, const int16_t *in, int16_t *out) {
  if (p->channels % 2) {
    tm_ref_pool_16x8(p, in, out, 0);
    return;
  }
  pool16_average_pairs(p, in, out);
}

void tm_pooling_16x8_max(const tm_pooling_params_t *p, const int16_t *in, int16_t *out) {
  if (p->channels % 2) {
    tm_ref_pool_16x8(p, in, out, 1);
    return;
  }
  pool16_max_pairs(p, in, out);
}
