// SPDX-License-Identifier: Apache-2.0
// CONV_2D for Cortex-M with the DSP extension. Output pixels are computed in
// tiles whose receptive fields are widened once into scratch as int16 pairs
// (SXTB16 even and odd lanes), interleaved per group of four taps. With the
// generator's requantization table (tm_conv_params_t.rq) and filter rows up
// to TM_CONV_TILE_MAX_KP taps, six pixels x one output channel per inner
// loop: each filter word (channel-pair layout, reference/weight_layout.h)
// widened once feeds 12 SMLAD, and the accumulators are requantized in
// registers. Otherwise (and for the last 1..4 pixels), two pixels x two
// channels, requantized from memory. Inputs whose channels are not whole
// words are first gathered as int8 patches.
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/conv.h"

#include <stddef.h>

#include "kernels/dsp/dsp_common.h"
#include "reference/weight_layout.h"

// Widened patch layout of a tile of P pixels (2 or 6): per group of 4 taps,
// words {x0 even, x0 odd, x1 even, x1 odd, ...}; pixel k's lanes start at
// word 2k and step by 2P words ("lanes" below).

// n bytes (a multiple of 4) of src, widened into pixel lanes at dst (lanes
// words per group): eight bytes per step in assembly (LDRD, 4 SXTB16,
// 2 STRD) when src is word aligned (LDRD faults otherwise; the caller's
// input may not be), then word by word.
static void conv_widen(const int8_t *src, int n, uint32_t *dst, int lanes) {
  const int8_t *end8 = src + (n & ~7);
  if (((uintptr_t)src & 3) == 0 && src < end8) {
    uint32_t v0, v1, e0, e1;
    const int step = 4 * lanes;
    __asm__ volatile(
        "1:\n\t"
        "ldrd %[v0], %[v1], [%[s]], #8\n\t"
        "sxtb16 %[e0], %[v0]\n\t"
        "sxtb16 %[v0], %[v0], ror #8\n\t"
        "sxtb16 %[e1], %[v1]\n\t"
        "sxtb16 %[v1], %[v1], ror #8\n\t"
        "strd %[e0], %[v0], [%[d]]\n\t"
        "add %[d], %[d], %[step]\n\t"
        "strd %[e1], %[v1], [%[d]]\n\t"
        "add %[d], %[d], %[step]\n\t"
        "cmp %[s], %[end]\n\t"
        "bne 1b"
        : [s] "+r"(src), [d] "+r"(dst), [v0] "=&r"(v0), [v1] "=&r"(v1), [e0] "=&r"(e0), [e1] "=&r"(e1)
        : [end] "r"(end8), [step] "r"(step)
        : "cc", "memory");
  }
  for (; src < end8 + (n & 4); src += 4, dst += lanes) {
    const uint32_t v = tm_dsp_load4(src);
    dst[0] = (uint32_t)tm_dsp_even(v);
    dst[1] = (uint32_t)tm_dsp_odd(v);
  }
}

// conv_widen into six-pixel tile lanes (12 words per group) for n >= 16:
// sixteen bytes per step (LDM, 8 SXTB16, 4 STRD stepping the tile's 48
// bytes) when src is word aligned, the rest by conv_widen. (A function of
// its own: the registers it takes would cost the short calls of conv_widen
// a larger frame.)
static void conv_widen12(const int8_t *src, int n, uint32_t *dst) {
  if (((uintptr_t)src & 3) == 0) {
    const int8_t *end = src + (n & ~15);
    uint32_t e;
    __asm__ volatile(
        "1:\n\t"
        "ldmia %[s]!, {r4, r5, r6, r7}\n\t"
        "sxtb16 %[e], r4\n\t"
        "sxtb16 r4, r4, ror #8\n\t"
        "strd %[e], r4, [%[d]], #48\n\t"
        "sxtb16 %[e], r5\n\t"
        "sxtb16 r5, r5, ror #8\n\t"
        "strd %[e], r5, [%[d]], #48\n\t"
        "sxtb16 %[e], r6\n\t"
        "sxtb16 r6, r6, ror #8\n\t"
        "strd %[e], r6, [%[d]], #48\n\t"
        "sxtb16 %[e], r7\n\t"
        "sxtb16 r7, r7, ror #8\n\t"
        "strd %[e], r7, [%[d]], #48\n\t"
        "cmp %[s], %[end]\n\t"
        "bne 1b"
        : [s] "+r"(src), [d] "+r"(dst), [e] "=&r"(e)
        : [end] "r"(end)
        : "r4", "r5", "r6", "r7", "cc", "memory");
    n &= 15;
  }
  if (n) conv_widen(src, n, dst, 12);
}

// n bytes (a multiple of 4) of zero-point padding into pixel lanes at dst.
static void conv_fill(uint32_t zp2, int n, uint32_t *dst, int lanes) {
  for (uint32_t *end = dst + n / 4 * lanes; dst < end; dst += lanes) {
    dst[0] = zp2;
    dst[1] = zp2;
  }
}

// conv_gather_wide of a window that crosses the border.
static __attribute__((noinline)) void conv_gather_wide_edge(const tm_conv_params_t *p, const int8_t *in, int y0,
                                                            int x0, uint32_t *dst, int lanes) {
  const int ic = p->in_c;
  const uint32_t zp2 = ((uint32_t)p->in_zp & 0xffffu) * 0x10001u;
  const int row_inside = x0 >= 0 && x0 + (p->k_w - 1) * p->dil_w < p->in_w && p->dil_w == 1;
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = y0 + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h || row_inside) {
      if (iy < 0 || iy >= p->in_h) {
        conv_fill(zp2, p->k_w * ic, dst, lanes);
      } else {
        conv_widen(in + ((int32_t)iy * p->in_w + x0) * ic, p->k_w * ic, dst, lanes);
      }
      dst += p->k_w * ic / 4 * lanes;
      continue;
    }
    for (int kx = 0; kx < p->k_w; ++kx, dst += ic / 4 * lanes) {
      const int ix = x0 + kx * p->dil_w;
      if (ix < 0 || ix >= p->in_w) {
        conv_fill(zp2, ic, dst, lanes);
      } else {
        conv_widen(in + ((int32_t)iy * p->in_w + ix) * ic, ic, dst, lanes);
      }
    }
  }
}

// Receptive field of output pixel (oy, ox), widened into lanes at dst;
// channels in whole words (in_c % 4 == 0). Inside the input: contiguous rows.
static void conv_gather_wide(const tm_conv_params_t *p, const int8_t *in, int oy, int ox, uint32_t *dst, int lanes) {
  const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
  const int k_h = p->k_h, ic = p->in_c, row = p->k_w * ic;
  if (y0 < 0 || y0 + (k_h - 1) * p->dil_h >= p->in_h || x0 < 0 || x0 + p->k_w > p->in_w || p->dil_w != 1) {
    conv_gather_wide_edge(p, in, y0, x0, dst, lanes);
    return;
  }
  const int32_t step = (int32_t)p->dil_h * p->in_w * ic;
  const int8_t *src = in + ((int32_t)y0 * p->in_w + x0) * ic;
  for (int ky = 0; ky < k_h; ++ky, src += step, dst += row / 4 * lanes) {
    if (lanes == 12 && row >= 16) {
      conv_widen12(src, row, dst);
    } else {
      conv_widen(src, row, dst, lanes);
    }
  }
}

// Byte loops GCC must keep as loops (it would otherwise call memcpy/memset
// for every few bytes), inlined into the gather.
#define CONV_GATHER_FN static inline __attribute__((always_inline, optimize("no-tree-loop-distribute-patterns")))

// n bytes from src to dst a word at a time (both at any alignment: the
// Cortex-M4 allows unaligned LDR/STR), then the last bytes.
typedef uint32_t conv_word_t __attribute__((aligned(1), may_alias));  // a word at any address

CONV_GATHER_FN int8_t *conv_copy(int8_t *dst, const int8_t *src, int n) {
  for (; n >= 4; n -= 4, src += 4, dst += 4) *(conv_word_t *)dst = *(const conv_word_t *)src;
  for (; n > 0; --n) *dst++ = *src++;
  return dst;
}

// n bytes of zero-point padding (zp4: the byte in all four lanes).
CONV_GATHER_FN int8_t *conv_pad(int8_t *dst, uint32_t zp4, int n) {
  for (; n >= 4; n -= 4, dst += 4) *(conv_word_t *)dst = zp4;
  for (; n > 0; --n) *dst++ = (int8_t)zp4;
  return dst;
}

// conv_gather of a window that crosses the border: all padding first (a
// word at a time), then the taps inside, per row one contiguous span
// unless the filter is dilated.
static __attribute__((noinline, optimize("no-tree-loop-distribute-patterns"))) void conv_gather_edge(
    const tm_conv_params_t *p, const int8_t *in, int y0, int x0, int8_t *patch) {
  const int ic = p->in_c, k_w = p->k_w, in_w = p->in_w, dil_w = p->dil_w, row_bytes = k_w * ic;
  conv_pad(patch, ((uint32_t)p->in_zp & 0xffu) * 0x01010101u, p->k_h * row_bytes);
  int left = 0, right = 0;  // padding taps of a dense row
  if (dil_w == 1) {
    left = x0 < 0 ? (-x0 < k_w ? -x0 : k_w) : 0;
    right = x0 + k_w > in_w ? x0 + k_w - in_w : 0;
    right = right < k_w - left ? right : k_w - left;
  }
  const int span = (k_w - left - right) * ic;
  for (int ky = 0; ky < p->k_h; ++ky, patch += row_bytes) {
    const int iy = y0 + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) continue;
    const int8_t *row = in + (int32_t)iy * in_w * ic;
    if (dil_w == 1) {
      conv_copy(patch + left * ic, row + (x0 + left) * ic, span);
      continue;
    }
    for (int kx = 0, ix = x0; kx < k_w; ++kx, ix += dil_w) {
      if (ix >= 0 && ix < in_w) conv_copy(patch + kx * ic, row + ix * ic, ic);
    }
  }
}

// Receptive field of output pixel (oy, ox) as an int8 patch (any in_c):
// inside the input, a few contiguous rows (first layers: 1..3 channels).
static __attribute__((optimize("no-tree-loop-distribute-patterns"))) void conv_gather(const tm_conv_params_t *p,
                                                                                     const int8_t *in, int oy,
                                                                                     int ox, int8_t *patch) {
  const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
  const int k_h = p->k_h, ic = p->in_c, row = p->k_w * ic;
  if (y0 < 0 || y0 + (k_h - 1) * p->dil_h >= p->in_h || x0 < 0 || x0 + p->k_w > p->in_w || p->dil_w != 1) {
    conv_gather_edge(p, in, y0, x0, patch);
    return;
  }
  const int32_t step = (int32_t)p->dil_h * p->in_w * ic;
  const int8_t *src = in + ((int32_t)y0 * p->in_w + x0) * ic;
  // Rows but the last in whole words: the bytes past a row land where the
  // next row goes, and come from input the next row lies beyond.
  const int words = (row + 3) >> 2;
  for (int ky = 1; ky < k_h; ++ky, src += step, patch += row) {
    for (int i = 0; i < words; ++i) ((conv_word_t *)patch)[i] = ((const conv_word_t *)src)[i];
  }
  conv_copy(patch, src, row);
}

// One group of 4 taps: LDM the 4 activation lane words (pixel 0 even, odd,
// pixel 1 even, odd); per filter, one word widened into 2 lane words, 4 SMLAD.
#define CONV_ASM_GROUP                   \
  "ldmia %[xi]!, {r0, r1, r2, r3}\n\t"   \
  "ldr r5, [%[w]], #4\n\t"               \
  "sxtb16 r4, r5\n\t"                    \
  "sxtb16 r5, r5, ror #8\n\t"            \
  "smlad %[s00], r0, r4, %[s00]\n\t"     \
  "smlad %[s00], r1, r5, %[s00]\n\t"     \
  "smlad %[s10], r2, r4, %[s10]\n\t"     \
  "smlad %[s10], r3, r5, %[s10]\n\t"     \
  "ldr r5, [%[w]], #4\n\t"               \
  "sxtb16 r4, r5\n\t"                    \
  "sxtb16 r5, r5, ror #8\n\t"            \
  "smlad %[s01], r0, r4, %[s01]\n\t"     \
  "smlad %[s01], r1, r5, %[s01]\n\t"     \
  "smlad %[s11], r2, r4, %[s11]\n\t"     \
  "smlad %[s11], r3, r5, %[s11]\n\t"

// The channel-pair loop around LOOP, the group loop over one pair's two
// filters. The loops need 14 registers, so the pair loop keeps its state in
// memory (conv_pairs_t: x, bias, acc, n, odd at offsets 0-16).
typedef struct {
  const uint32_t *x;
  const int32_t *bias;
  int32_t *acc;
  int n;
  int odd;
} conv_pairs_t;
_Static_assert(offsetof(conv_pairs_t, x) == 0 && offsetof(conv_pairs_t, bias) == 4 &&
                   offsetof(conv_pairs_t, acc) == 8 && offsetof(conv_pairs_t, n) == 12 &&
                   offsetof(conv_pairs_t, odd) == 16,
               "CONV_ASM_PAIRS and CONV_ASM_LOOP2 read conv_pairs_t at these offsets");

#define CONV_ASM_PAIRS(LOOP)                                                                           \
  __asm__ volatile(                                                                                    \
      "2:\n\t"                                                                                          \
      "ldr %[xi], [%[st], #0]\n\t"                                                                      \
      "ldr r0, [%[st], #4]\n\t"                                                                         \
      "ldrd %[s00], %[s01], [r0], #8\n\t"                                                               \
      "str r0, [%[st], #4]\n\t"                                                                         \
      "mov %[s10], %[s00]\n\t"                                                                          \
      "mov %[s11], %[s01]\n\t" LOOP                                                                     \
      "cmp %[xi], %[end]\n\t"                                                                           \
      "bne 1b\n\t"                                                                                      \
      "ldr r0, [%[st], #8]\n\t"                                                                         \
      "strd %[s00], %[s01], [r0], #8\n\t"                                                               \
      "strd %[s10], %[s11], [r0], #8\n\t"                                                               \
      "str r0, [%[st], #8]\n\t"                                                                         \
      "ldr r0, [%[st], #12]\n\t"                                                                        \
      "subs r0, r0, #1\n\t"                                                                             \
      "str r0, [%[st], #12]\n\t"                                                                        \
      "bne 2b"                                                                                         \
      : [s00] "=&r"(s00), [s01] "=&r"(s01), [s10] "=&r"(s10), [s11] "=&r"(s11), [xi] "=&r"(xi), [w] "+r"(w) \
      : [end] "r"(end), [st] "r"(&st)                                                                  \
      : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory")

// Groups unrolled by two; an odd count enters at the second copy.
#define CONV_ASM_LOOP2 "ldr r0, [%[st], #16]\n\t" "cbnz r0, 4f\n\t" "1:\n\t" CONV_ASM_GROUP "4:\n\t" CONV_ASM_GROUP
#define CONV_ASM_LOOP4 "1:\n\t" CONV_ASM_GROUP CONV_ASM_GROUP CONV_ASM_GROUP CONV_ASM_GROUP

// For n channel pairs j (filters w, two interleaved per pair, kp taps
// each; biases bias[2j], bias[2j+1]): acc[4j..4j+3] = {px0 oc0, px0 oc1,
// px1 oc0, px1 oc1}, the biases plus the dot products with the two widened
// pixels x, all in assembly.
static __attribute__((noinline)) void conv_dot_pairs(const uint32_t *x, const uint32_t *w, int kp,
                                                     const int32_t *bias, int32_t *acc, int n) {
  conv_pairs_t st = {x, bias, acc, n, (kp >> 2) & 1};
  const uint32_t *end = x + kp;
  const uint32_t *xi;
  int32_t s00, s01, s10, s11;
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  CONV_ASM_PAIRS(CONV_ASM_LOOP2);
}

// Fused requantization (tm_conv_params_t.rq: {m2 = 2m - 2^32, c, r}):
// SMMLAR(x, m2, a) = a - x + SMMULR(2x, m), so with a = x + c - (x < 0) it
// is the doubling high multiply plus the folded rounding constant and the
// rounding shift's sign correction (for r >= 1, h = 0 when x < 0 and
// h >= 0, where the -1 does not change (h + c) >> r).
static inline int8_t conv_requantize_rq(int32_t x, const int32_t *q) {
  int32_t t;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(t) : "r"(x), "r"(q[0]), "r"(x + q[1] + (x >> 31)));
  return (int8_t)__ssat(t >> q[2], 8);
}

// One group of 4 taps for six pixels and one filter (w: lr, x: r12,
// accumulators r6..r11): the filter word widened once feeds 12 SMLAD; the
// pixels' 12 lane words come in three LDMs.
#define CONV6_ASM_GROUP                \
  "ldr r5, [lr], #8\n\t"               \
  "ldmia r12!, {r0, r1, r2, r3}\n\t"   \
  "sxtb16 r4, r5\n\t"                  \
  "sxtb16 r5, r5, ror #8\n\t"          \
  "smlad r6, r0, r4, r6\n\t"           \
  "smlad r6, r1, r5, r6\n\t"           \
  "smlad r7, r2, r4, r7\n\t"           \
  "smlad r7, r3, r5, r7\n\t"           \
  "ldmia r12!, {r0, r1, r2, r3}\n\t"   \
  "smlad r8, r0, r4, r8\n\t"           \
  "smlad r8, r1, r5, r8\n\t"           \
  "smlad r9, r2, r4, r9\n\t"           \
  "smlad r9, r3, r5, r9\n\t"           \
  "ldmia r12!, {r0, r1, r2, r3}\n\t"   \
  "smlad r10, r0, r4, r10\n\t"         \
  "smlad r10, r1, r5, r10\n\t"         \
  "smlad r11, r2, r4, r11\n\t"         \
  "smlad r11, r3, r5, r11\n\t"

// conv_requantize_rq of accumulator s into r2 (r3 = m2, r4 = c, r5 = r).
#define CONV6_ASM_RQ(s)              \
  "add r2, r4, " s "\n\t"            \
  "add r2, r2, " s ", asr #31\n\t"   \
  "smmlar r2, " s ", r3, r2\n\t"     \
  "asr r2, r2, r5\n\t"               \
  "ssat r2, #8, r2\n\t"

// The first group of a filter: as CONV6_ASM_GROUP, with the bias (r11,
// read last) as the addend instead of six copies made first.
#define CONV6_ASM_GROUP_FIRST          \
  "ldr r5, [lr], #8\n\t"               \
  "ldmia r12!, {r0, r1, r2, r3}\n\t"   \
  "sxtb16 r4, r5\n\t"                  \
  "sxtb16 r5, r5, ror #8\n\t"          \
  "smlad r6, r0, r4, r11\n\t"          \
  "smlad r6, r1, r5, r6\n\t"           \
  "smlad r7, r2, r4, r11\n\t"          \
  "smlad r7, r3, r5, r7\n\t"           \
  "ldmia r12!, {r0, r1, r2, r3}\n\t"   \
  "smlad r8, r0, r4, r11\n\t"          \
  "smlad r8, r1, r5, r8\n\t"           \
  "smlad r9, r2, r4, r11\n\t"          \
  "smlad r9, r3, r5, r9\n\t"           \
  "ldmia r12!, {r0, r1, r2, r3}\n\t"   \
  "smlad r10, r0, r4, r11\n\t"         \
  "smlad r10, r1, r5, r10\n\t"         \
  "smlad r11, r2, r4, r11\n\t"         \
  "smlad r11, r3, r5, r11\n\t"

// State of conv_tile6 (field offsets are used in its assembly).
typedef struct {
  const uint32_t *x;     // 0: the widened tile
  const int32_t *bias;   // 4: the next channel's bias
  const int32_t *rq;     // 8: the next channel's constants
  int8_t *out;           // 12: the next channel's output in pixel 0
  int32_t step;          // 16: out_c, the bytes from one pixel's outputs to the next
  const int8_t *out_end;  // 20: past the last channel's output in pixel 0
  int32_t back;          // 24: 4 - 2 * kp, from the end of a pair's first filter to its second
  int32_t even;          // 28: the group count is even (odd after the first group)
  const int8_t *w;       // 32: the first pair's weights
} conv_tile_t;
_Static_assert(offsetof(conv_tile_t, x) == 0 && offsetof(conv_tile_t, bias) == 4 && offsetof(conv_tile_t, rq) == 8 &&
                   offsetof(conv_tile_t, out) == 12 && offsetof(conv_tile_t, step) == 16 &&
                   offsetof(conv_tile_t, out_end) == 20 && offsetof(conv_tile_t, back) == 24 &&
                   offsetof(conv_tile_t, even) == 28 && offsetof(conv_tile_t, w) == 32,
               "the CONV6_ASM_* assembly reads conv_tile_t at these offsets");

// The groups after the first, unrolled by two: an odd count enters at
// label b, an even one (maybe none) at the end test.
#define CONV6_ASM_LOOP2(a, b)         \
  "ldr r1, [r0, #28]\n\t"             \
  "cmp r1, #0\n\t"                    \
  CONV6_ASM_GROUP_FIRST               \
  "bne " b "f\n\t"                    \
  "b " a "f\n\t"                      \
  "1" a ":\n\t" CONV6_ASM_GROUP       \
  b ":\n\t" CONV6_ASM_GROUP           \
  a ":\n\t"

// The groups after the first, unrolled by four (a count that is a multiple
// of 4, so three enter at the second copy).
#define CONV6_ASM_LOOP4(a, b)         \
  CONV6_ASM_GROUP_FIRST               \
  "b " b "f\n\t"                      \
  "1" a ":\n\t" CONV6_ASM_GROUP       \
  b ":\n\t" CONV6_ASM_GROUP CONV6_ASM_GROUP CONV6_ASM_GROUP

// One filter: the group loop (LOOP: one of the above) from the bias, then
// the six outputs requantized and stored out_c bytes apart; Z is set after
// the last channel. [sp] holds the state, [sp, #4] the end of the tile.
#define CONV6_ASM_FILTER(LOOP, a, b)  \
  "ldr r0, [sp]\n\t"                  \
  "ldrd r12, r1, [r0]\n\t"            \
  "ldr r11, [r1], #4\n\t"             \
  "str r1, [r0, #4]\n\t"              \
  LOOP(a, b)                          \
  "ldr r0, [sp, #4]\n\t"              \
  "cmp r12, r0\n\t"                   \
  "bne 1" a "b\n\t"                   \
  "ldr r0, [sp]\n\t"                  \
  "ldr r1, [r0, #8]\n\t"              \
  "ldmia r1!, {r3, r4, r5}\n\t"       \
  "str r1, [r0, #8]\n\t"              \
  "ldrd r1, r0, [r0, #12]\n\t"        \
  CONV6_ASM_RQ("r6")                  \
  "strb r2, [r1]\n\t"                 \
  CONV6_ASM_RQ("r7")                  \
  "strb r2, [r1, r0]\n\t"             \
  "add r12, r1, r0, lsl #1\n\t"       \
  CONV6_ASM_RQ("r8")                  \
  "strb r2, [r12]\n\t"                \
  CONV6_ASM_RQ("r9")                  \
  "strb r2, [r12, r0]\n\t"            \
  "add r12, r12, r0, lsl #1\n\t"      \
  CONV6_ASM_RQ("r10")                 \
  "strb r2, [r12]\n\t"                \
  CONV6_ASM_RQ("r11")                 \
  "strb r2, [r12, r0]\n\t"            \
  "adds r1, r1, #1\n\t"               \
  "ldr r0, [sp]\n\t"                  \
  "str r1, [r0, #12]\n\t"             \
  "ldr r2, [r0, #20]\n\t"             \
  "cmp r1, r2\n\t"

// All output channels of six widened pixels (lanes of 12 words per
// group), requantized with st->rq and stored: per group of 4 taps and
// filter 18 instructions for 24 MACs. All in assembly: the group loop needs
// all 14 registers, so the state waits on the stack. The channel loop runs
// a pair's two filters (weights 4 bytes apart, groups 8 bytes apart) in two
// copies; an odd count leaves after the first.
#define CONV6_ASM_TILE(LOOP)                                                                      \
  __asm__ volatile(                                                                               \
      "push {r0, r1}\n\t"                                                                         \
      "ldr lr, [r0, #32]\n\t"                                                                     \
      "1:\n\t" CONV6_ASM_FILTER(LOOP, "3", "4") "beq 9f\n\t"                                      \
      "ldr r1, [r0, #24]\n\t"                                                                     \
      "add lr, lr, r1\n\t" CONV6_ASM_FILTER(LOOP, "5", "6") "sub lr, lr, #4\n\t"                  \
      "bne 1b\n\t"                                                                                \
      "9:\n\t"                                                                                    \
      "add sp, sp, #8"                                                                            \
      : "+r"(st_r), "+r"(end_r)                                                                   \
      :                                                                                           \
      : "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory")

// Bound: the generator emits rq only when |bias| + 128 * sum|w| + |round| < 2^31 (quant.py).
static __attribute__((noinline)) void conv_tile6(conv_tile_t *st, const uint32_t *end) {
  register conv_tile_t *st_r __asm__("r0") = st;
  register const uint32_t *end_r __asm__("r1") = end;
  CONV6_ASM_TILE(CONV6_ASM_LOOP2);
}

// conv_tile6 when kp is a multiple of 16: one compare and branch per 96 MACs.
static __attribute__((noinline)) void conv_tile6_x4(conv_tile_t *st, const uint32_t *end) {
  register conv_tile_t *st_r __asm__("r0") = st;
  register const uint32_t *end_r __asm__("r1") = end;
  CONV6_ASM_TILE(CONV6_ASM_LOOP4);
}

// conv_dot_pairs when kp is a multiple of 16: groups unrolled by four.
static __attribute__((noinline)) void conv_dot_pairs_x4(const uint32_t *x, const uint32_t *w, int kp,
                                                        const int32_t *bias, int32_t *acc, int n) {
  conv_pairs_t st = {x, bias, acc, n, 0};
  const uint32_t *end = x + kp;
  const uint32_t *xi;
  int32_t s00, s01, s10, s11;
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  CONV_ASM_PAIRS(CONV_ASM_LOOP4);
}

// Channel pairs per conv_dot_pairs call (the accumulators live on the stack).
#define CONV_CHUNK 16

// Output channels oc .. oc + 2n - 1 of the two pixels from the
// accumulators of n pairs (oc + 2n <= out_c); o1 = 0 drops pixel 1. The
// general requantization: layers without a table are rare (left shifts,
// accumulators near 2^31).
static void conv_store(const tm_conv_params_t *p, const int32_t *acc, int oc, int n, int8_t *o0, int8_t *o1) {
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  const int32_t *mult = p->mult + oc, *shift = p->shift + oc;
  o0 += oc;
  if (o1) o1 += oc;
  for (const int32_t *end = acc + 4 * n; acc < end; acc += 4, mult += 2, shift += 2, o0 += 2) {
    const int32_t m0 = mult[0], sh0 = shift[0], m1 = mult[1], sh1 = shift[1];
    o0[0] = tm_dsp_requantize(acc[0], m0, sh0, zp, lo, hi);
    o0[1] = tm_dsp_requantize(acc[1], m1, sh1, zp, lo, hi);
    if (o1) {
      o1[0] = tm_dsp_requantize(acc[2], m0, sh0, zp, lo, hi);
      o1[1] = tm_dsp_requantize(acc[3], m1, sh1, zp, lo, hi);
      o1 += 2;
    }
  }
}

// conv_store with the layer's requantization table.
static void conv_store_rq(const tm_conv_params_t *p, const int32_t *acc, int oc, int n, int8_t *o0, int8_t *o1) {
  const int32_t lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  const int clamp = lo != -128 || hi != 127;       // else SSAT alone clamps
  const int32_t *q = p->rq + 3 * oc;
  o0 += oc;
  if (o1) o1 += oc;
  for (const int32_t *end = acc + 4 * n; acc < end; acc += 4, q += 6, o0 += 2) {
    int32_t v[4] = {conv_requantize_rq(acc[0], q), conv_requantize_rq(acc[1], q + 3),
                    conv_requantize_rq(acc[2], q), conv_requantize_rq(acc[3], q + 3)};
    if (clamp) {
      for (int k = 0; k < 4; ++k) v[k] = v[k] < lo ? lo : v[k] > hi ? hi : v[k];
    }
    o0[0] = (int8_t)v[0];
    o0[1] = (int8_t)v[1];
    if (o1) {
      o1[0] = (int8_t)v[2];
      o1[1] = (int8_t)v[3];
      o1 += 2;
    }
  }
}

// All output channels of the two widened pixels (o1 = 0: only the first).
static void conv_pixels(const tm_conv_params_t *p, const uint32_t *x, int8_t *o0, int8_t *o1) {
  const int kp = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  const uint32_t *w = (const uint32_t *)(const void *)p->weights;  // generated arrays are 16-byte aligned
  const int pairs = p->out_c >> 1;
  void (*const dot)(const uint32_t *, const uint32_t *, int, const int32_t *, int32_t *, int) =
      (kp & 15) == 0 ? conv_dot_pairs_x4 : conv_dot_pairs;
  int32_t acc[4 * CONV_CHUNK];
  for (int j = 0; j < pairs; j += CONV_CHUNK) {
    const int n = pairs - j < CONV_CHUNK ? pairs - j : CONV_CHUNK;
    dot(x, w + (int32_t)j * (kp / 2), kp, p->bias + 2 * j, acc, n);
    (p->rq ? conv_store_rq : conv_store)(p, acc, 2 * j, n, o0, o1);
  }
  if (p->out_c & 1) {  // the last channel pairs with zero weights
    const int oc = p->out_c - 1;
    const int32_t bias[2] = {p->bias[oc], p->bias[oc]};
    dot(x, w + (int32_t)pairs * (kp / 2), kp, bias, acc, 1);
    const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
    o0[oc] = tm_dsp_requantize(acc[0], p->mult[oc], p->shift[oc], zp, lo, hi);
    if (o1) o1[oc] = tm_dsp_requantize(acc[2], p->mult[oc], p->shift[oc], zp, lo, hi);
  }
}

// Output pixels q, q - 1, ... q - 5 into o, o - out_c, ...: gathered,
// widened, convolved and requantized (the tile path: rq set, kp <=
// TM_CONV_TILE_MAX_KP). The outputs step back through the tile kernel's
// negative step.
static void conv_tile_back(const tm_conv_params_t *p, const int8_t *in, int q, int8_t *o) {
  const int kp = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  uint32_t *wide = (uint32_t *)(void *)p->scratch;  // 12 * kp bytes, then one int8 patch when in_c % 4 != 0
  int8_t *patch = p->scratch + 12 * kp;
  for (int k = 0; k < 6; ++k, --q) {
    const int oy = q / p->out_w, ox = q % p->out_w;
    if ((p->in_c & 3) == 0) {
      conv_gather_wide(p, in, oy, ox, wide + 2 * k, 12);
    } else {
      conv_gather(p, in, oy, ox, patch);
      conv_widen(patch, kp, wide + 2 * k, 12);
    }
  }
  const int32_t lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  conv_tile_t st = {wide, p->bias, p->rq, o, -p->out_c, o + p->out_c, 4 - 2 * kp, !((kp >> 2) & 1), p->weights};
  ((kp & 15) == 0 ? conv_tile6_x4 : conv_tile6)(&st, wide + 3 * kp);
  if (lo != -128 || hi != 127) {  // the fused activation's clamp, rarely narrower than int8
    for (int8_t *c = o - 5 * p->out_c, *end = o + p->out_c; c < end; ++c) {
      *c = (int8_t)(*c < lo ? lo : *c > hi ? hi : *c);
    }
  }
}

void tm_conv_eval(const tm_conv_params_t *p, const int8_t *in, int8_t *out) {
  tm_conv_eval_rows(p, in, 0, out, 0, p->out_h);
}

void tm_conv_eval_rows(const tm_conv_params_t *p, const int8_t *in, int in_row0, int8_t *out, int oy0, int oy1) {
  const int pixels = oy1 * p->out_w;
  // Input row iy at in + iy * row bytes: an address computed as an integer
  // (GCC keeps integer <-> pointer casts value-preserving); only the rows
  // the window holds are read.
  in = (const int8_t *)((uintptr_t)in - (uintptr_t)((int32_t)in_row0 * p->in_w * p->in_c));
  const int wide_c = (p->in_c & 3) == 0;
  const int kp = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  const int tile = p->rq && kp <= TM_CONV_TILE_MAX_KP;
  // 12 * kp (tile) or 4 * kp bytes of widened pixels, then one int8 patch when !wide_c
  uint32_t *wide = (uint32_t *)(void *)p->scratch;
  int8_t *patch = p->scratch + (tile ? 12 : 4) * kp;
  const int full = p->act_min == -128 && p->act_max == 127;
  // 1x1 filters without padding over whole-word channels: no gather
  const int pointwise = wide_c && p->k_h == 1 && p->k_w == 1 && p->pad_top == 0 && p->pad_left == 0;
  int px = oy0 * p->out_w;
  if (tile) {
    conv_tile_t st = {wide, 0, 0, 0, p->out_c, 0, 4 - 2 * kp, !((kp >> 2) & 1), p->weights};
    const int32_t lo = p->act_min, hi = p->act_max, bytes = 6 * p->out_c;  // locals: int8 stores may alias *p
    const int first = px;
    for (; px + 6 <= pixels; px += 6, out += bytes) {  // six pixels per tile
      for (int k = 0; k < 6; ++k) {
        const int q = px + k, oy = q / p->out_w, ox = q % p->out_w;
        if (pointwise) {  // the pixel's channels, in place
          const int8_t *src = in + ((int32_t)oy * p->stride_h * p->in_w + ox * p->stride_w) * p->in_c;
          if (kp >= 16) {
            conv_widen12(src, kp, wide + 2 * k);
          } else {
            conv_widen(src, kp, wide + 2 * k, 12);
          }
        } else if (wide_c) {
          conv_gather_wide(p, in, oy, ox, wide + 2 * k, 12);
        } else {
          conv_gather(p, in, oy, ox, patch);
          conv_widen(patch, kp, wide + 2 * k, 12);
        }
      }
      st.bias = p->bias, st.rq = p->rq, st.out = out, st.out_end = out + p->out_c;
      ((kp & 15) == 0 ? conv_tile6_x4 : conv_tile6)(&st, wide + 3 * kp);
      if (!full) {  // the fused activation's clamp, rarely narrower than int8
        for (int8_t *o = out, *end = out + bytes; o < end; ++o) *o = (int8_t)(*o < lo ? lo : *o > hi ? hi : *o);
      }
    }
    // The last five (after a whole tile) take the last six in reverse,
    // outputs stepping back: the tile before's last pixel is computed
    // again, whose input the lag keeps (conv_sizes.c); fewer than five are
    // cheaper in two-pixel tiles.
    if (px + 5 == pixels && px > first) {
      conv_tile_back(p, in, pixels - 1, out + 4 * p->out_c);
      px = pixels;
    }
  }
  for (; px < pixels; px += 2) {  // two pixels per tile (fewer than six pixels, or long filter rows)
    const int count = px + 1 < pixels ? 2 : 1;
    for (int k = 0; k < 2; ++k) {
      const int q = px + (k < count ? k : 0);
      const int oy = q / p->out_w, ox = q % p->out_w;
      if (wide_c) {
        conv_gather_wide(p, in, oy, ox, wide + 2 * k, 4);
      } else {
        conv_gather(p, in, oy, ox, patch);
        conv_widen(patch, kp, wide + 2 * k, 4);
      }
    }
    conv_pixels(p, wide, out, count == 2 ? out + p->out_c : 0);
    out += 2 * p->out_c;
  }
}
