// SPDX-License-Identifier: Apache-2.0
// Fixed-point log-mel front-end (see tm_frontend.h for the contract).
//
// Scaling, for int16 input (|x| < 2^15):
//  - window: Q15 Hann, the product stays below 2^15;
//  - complex FFT of M = FFT/2 points without per-stage scaling: the magnitude
//    grows at most 2x per stage, so below 2^15 * sqrt(2) * M < 2^24 for M <= 256;
//  - the split to the real spectrum doubles it (X is computed times 2): < 2^25;
//  - power re^2 + im^2 >> 6 < 2^45 per bin, and by Parseval the sum over all
//    bins stays below 2^44, so the Q15-weighted mel sums fit a uint64 (< 2^59);
//  - log2 in Q16 from the leading bit and a 33-entry table of log2(1 + i/32),
//    linearly interpolated; int8 = round(gain * log2) - offset, saturated.
#include "tm_frontend.h"

#include "tm_frontend_config.h"

#define TM_FRONTEND_HALF (TM_FRONTEND_FFT / 2)
#define TM_FRONTEND_POWER_SHIFT 6

static int32_t tm_frontend_re[TM_FRONTEND_HALF];
static int32_t tm_frontend_im[TM_FRONTEND_HALF];
static uint64_t tm_frontend_mel[TM_FRONTEND_BANDS];

// (a * w) / 2^15 rounded, a up to 2^25 and w a Q15 twiddle.
static inline int32_t tm_frontend_mulq15(int32_t a, int32_t w) {
  return (int32_t)(((int64_t)a * w + (1 << 14)) >> 15);
}

// In-place radix-2 complex FFT of TM_FRONTEND_HALF points (decimation in time).
static void tm_frontend_fft(int32_t *re, int32_t *im) {
  for (int i = 1, j = 0; i < TM_FRONTEND_HALF; i++) {
    int bit = TM_FRONTEND_HALF >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      int32_t t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (int len = 2; len <= TM_FRONTEND_HALF; len <<= 1) {
    int half = len >> 1;
    int step = TM_FRONTEND_FFT / len;  // W_len^k = W_FFT^(k * step)
    for (int i = 0; i < TM_FRONTEND_HALF; i += len) {
      for (int k = 0; k < half; k++) {
        int32_t c = tm_frontend_cos[k * step], s = tm_frontend_sin[k * step];
        int a = i + k, b = a + half;
        // (re + i im) * (c - i s)
        int32_t tr = tm_frontend_mulq15(re[b], c) + tm_frontend_mulq15(im[b], s);
        int32_t ti = tm_frontend_mulq15(im[b], c) - tm_frontend_mulq15(re[b], s);
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

// Power of real-spectrum bin k (0..FFT/2) from the half-size complex spectrum Z:
// 2X[k] = (Z[k] + conj Z[M-k]) - i W^k (Z[k] - conj Z[M-k]).
static uint64_t tm_frontend_power(int k) {
  int a = k % TM_FRONTEND_HALF, b = (TM_FRONTEND_HALF - k) % TM_FRONTEND_HALF;
  int32_t er = tm_frontend_re[a] + tm_frontend_re[b], ei = tm_frontend_im[a] - tm_frontend_im[b];
  int32_t dr = tm_frontend_re[a] - tm_frontend_re[b], di = tm_frontend_im[a] + tm_frontend_im[b];
  // O = -i * D = di - i dr; W^k O with W^k = c - i s
  int32_t c = tm_frontend_cos[k], s = tm_frontend_sin[k];
  int32_t or_ = tm_frontend_mulq15(di, c) - tm_frontend_mulq15(dr, s);
  int32_t oi = -tm_frontend_mulq15(dr, c) - tm_frontend_mulq15(di, s);
  int64_t xr = (int64_t)er + or_, xi = (int64_t)ei + oi;
  return (uint64_t)(xr * xr + xi * xi) >> TM_FRONTEND_POWER_SHIFT;
}

// round(TM_FRONTEND_LOG_GAIN * log2(e)) - TM_FRONTEND_LOG_OFFSET, saturated to int8.
static int8_t tm_frontend_log(uint64_t e) {
  if (e == 0) return -128;
  int n = 63 - __builtin_clzll(e);
  uint32_t m = (uint32_t)(n >= 30 ? e >> (n - 30) : e << (30 - n));  // in [2^30, 2^31)
  uint32_t frac = m - (1u << 30);
  uint32_t idx = frac >> 25, rem = frac & ((1u << 25) - 1);
  int32_t lo = tm_frontend_log2_table[idx], hi = tm_frontend_log2_table[idx + 1];
  int32_t l16 = lo + (int32_t)(((int64_t)(hi - lo) * rem) >> 25);
  int64_t scaled = ((int64_t)n * 65536 + l16) * TM_FRONTEND_LOG_GAIN;
  int32_t q = (int32_t)((scaled + 32768) >> 16) - TM_FRONTEND_LOG_OFFSET;
  return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

size_t tm_frontend_frame_count(size_t samples) {
  return samples < TM_FRONTEND_WINDOW ? 0 : 1 + (samples - TM_FRONTEND_WINDOW) / TM_FRONTEND_HOP;
}

void tm_frontend_frame(const int16_t *window, int8_t *features) {
  // windowed samples, zero-padded to FFT, packed as z[n] = x[2n] + i x[2n+1]
  for (int n = 0; n < TM_FRONTEND_HALF; n++) {
    int i = 2 * n;
    tm_frontend_re[n] = i < TM_FRONTEND_WINDOW ? (window[i] * tm_frontend_window[i]) >> 15 : 0;
    tm_frontend_im[n] = i + 1 < TM_FRONTEND_WINDOW ? (window[i + 1] * tm_frontend_window[i + 1]) >> 15 : 0;
  }
  tm_frontend_fft(tm_frontend_re, tm_frontend_im);
  for (int b = 0; b < TM_FRONTEND_BANDS; b++) tm_frontend_mel[b] = 0;
  for (int k = TM_FRONTEND_FIRST_BIN; k <= TM_FRONTEND_LAST_BIN; k++) {
    // bin k lies between mel points seg and seg+1: falling edge of band seg-1, rising edge of band seg
    int seg = tm_frontend_mel_segment[k];
    uint64_t p = tm_frontend_power(k);
    uint32_t rise = tm_frontend_mel_rise[k];
    if (seg > 0) tm_frontend_mel[seg - 1] += p * (32768u - rise);
    if (seg < TM_FRONTEND_BANDS) tm_frontend_mel[seg] += p * rise;
  }
  for (int b = 0; b < TM_FRONTEND_BANDS; b++) features[b] = tm_frontend_log(tm_frontend_mel[b]);
}

size_t tm_frontend_clip(const int16_t *pcm, size_t samples, int8_t *features) {
  size_t frames = tm_frontend_frame_count(samples);
  for (size_t f = 0; f < frames; f++) tm_frontend_frame(pcm + f * TM_FRONTEND_HOP, features + f * TM_FRONTEND_BANDS);
  return frames;
}

void tm_frontend_shape(int32_t *shape4) {
  shape4[0] = TM_FRONTEND_WINDOW;
  shape4[1] = TM_FRONTEND_HOP;
  shape4[2] = TM_FRONTEND_FFT;
  shape4[3] = TM_FRONTEND_BANDS;
}
