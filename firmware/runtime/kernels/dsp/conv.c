// SPDX-License-Identifier: Apache-2.0
// CONV_2D for Cortex-M with the DSP extension: two output pixels x two
// output channels per inner loop. The two pixels' receptive fields are
// widened once into scratch as int16 pairs (SXTB16 even and odd lanes),
// interleaved per group of four taps, so the inner loop reads 16 bytes of
// activations with one LDM and its two filters (interleaved at generation
// time, reference/weight_layout.h) as one 8-byte word pair. Inputs whose
// channels are not whole words are first gathered as int8 patches.
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/conv.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/weight_layout.h"

// Widened patch layout of a tile of P pixels (2 or 4): per group of 4 taps,
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

// n bytes (a multiple of 4) of zero-point padding into pixel lanes at dst.
static void conv_fill(uint32_t zp2, int n, uint32_t *dst, int lanes) {
  for (uint32_t *end = dst + n / 4 * lanes; dst < end; dst += lanes) {
    dst[0] = zp2;
    dst[1] = zp2;
  }
}

// Receptive field of output pixel (oy, ox), widened into lanes at dst;
// channels in whole words (in_c % 4 == 0).
static void conv_gather_wide(const tm_conv_params_t *p, const int8_t *in, int oy, int ox, uint32_t *dst, int lanes) {
  const int ic = p->in_c;
  const uint32_t zp2 = ((uint32_t)p->in_zp & 0xffffu) * 0x10001u;
  const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
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

// Receptive field of output pixel (oy, ox) as an int8 patch (any in_c):
// byte loops, since the rows and taps of such layers are a few bytes long.
// (Kept as loops: GCC would otherwise call memcpy/memset for every tap.)
static __attribute__((optimize("no-tree-loop-distribute-patterns"))) void conv_gather(const tm_conv_params_t *p,
                                                                                     const int8_t *in, int oy,
                                                                                     int ox, int8_t *patch) {
  const int ic = p->in_c, k_w = p->k_w, in_w = p->in_w, dil_w = p->dil_w;
  const int8_t zp = (int8_t)p->in_zp;
  const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
  const int row_inside = x0 >= 0 && x0 + (k_w - 1) * dil_w < in_w && dil_w == 1;
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = y0 + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) {
      for (int i = 0; i < k_w * ic; ++i) *patch++ = zp;
      continue;
    }
    const int8_t *row = in + (int32_t)iy * in_w * ic;
    if (row_inside) {
      const int8_t *src = row + x0 * ic;
      for (int i = 0; i < k_w * ic; ++i) *patch++ = src[i];
      continue;
    }
    for (int kx = 0, ix = x0; kx < k_w; ++kx, ix += dil_w) {
      if (ix < 0 || ix >= in_w) {
        for (int i = 0; i < ic; ++i) *patch++ = zp;
      } else {
        const int8_t *src = row + ix * ic;
        for (int i = 0; i < ic; ++i) *patch++ = src[i];
      }
    }
  }
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

// For n channel pairs j (filters w, two interleaved per pair, kp taps
// each; biases bias[2j], bias[2j+1]): acc[4j..4j+3] = {px0 oc0, px0 oc1,
// px1 oc0, px1 oc1}, the biases plus the dot products with the two widened
// pixels x. All in assembly, groups unrolled by two (an odd count enters
// at the second copy): the loops need 14 registers, so the pair loop keeps
// its state in memory (st).
static __attribute__((noinline)) void conv_dot_pairs(const uint32_t *x, const uint32_t *w, int kp,
                                                     const int32_t *bias, int32_t *acc, int n) {
  struct {
    const uint32_t *x;
    const int32_t *bias;
    int32_t *acc;
    int n;
    int odd;
  } st = {x, bias, acc, n, (kp >> 2) & 1};
  const uint32_t *end = x + kp;
  const uint32_t *xi;
  int32_t s00, s01, s10, s11;
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  __asm__ volatile(
      "2:\n\t"
      "ldr %[xi], [%[st], #0]\n\t"
      "ldr r0, [%[st], #4]\n\t"
      "ldrd %[s00], %[s01], [r0], #8\n\t"
      "str r0, [%[st], #4]\n\t"
      "mov %[s10], %[s00]\n\t"
      "mov %[s11], %[s01]\n\t"
      "ldr r0, [%[st], #16]\n\t"
      "cbnz r0, 4f\n\t"
      "1:\n\t" CONV_ASM_GROUP
      "4:\n\t" CONV_ASM_GROUP
      "cmp %[xi], %[end]\n\t"
      "bne 1b\n\t"
      "ldr r0, [%[st], #8]\n\t"
      "strd %[s00], %[s01], [r0], #8\n\t"
      "strd %[s10], %[s11], [r0], #8\n\t"
      "str r0, [%[st], #8]\n\t"
      "ldr r0, [%[st], #12]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [%[st], #12]\n\t"
      "bne 2b"
      : [s00] "=&r"(s00), [s01] "=&r"(s01), [s10] "=&r"(s10), [s11] "=&r"(s11), [xi] "=&r"(xi), [w] "+r"(w)
      : [end] "r"(end), [st] "r"(&st)
      : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");
}

// One group of 4 taps for four pixels and one filter: the filter word
// widened once feeds 8 SMLAD; the pixels' 8 lane words come in two LDMs.
#define CONV4_ASM_GROUP                  \
  "ldr r5, [%[w]], #8\n\t"               \
  "ldmia %[xi]!, {r0, r1, r2, r3}\n\t"   \
  "sxtb16 r4, r5\n\t"                    \
  "sxtb16 r5, r5, ror #8\n\t"            \
  "smlad %[s0], r0, r4, %[s0]\n\t"       \
  "smlad %[s0], r1, r5, %[s0]\n\t"       \
  "smlad %[s1], r2, r4, %[s1]\n\t"       \
  "smlad %[s1], r3, r5, %[s1]\n\t"       \
  "ldmia %[xi]!, {r0, r1, r2, r3}\n\t"   \
  "smlad %[s2], r0, r4, %[s2]\n\t"       \
  "smlad %[s2], r1, r5, %[s2]\n\t"       \
  "smlad %[s3], r2, r4, %[s3]\n\t"       \
  "smlad %[s3], r3, r5, %[s3]\n\t"

// One filter of a pair over the four widened pixels: accumulators from the
// bias word at [r0], groups unrolled by two (odd count: enter at label b).
#define CONV4_ASM_FILTER(a, b)           \
  "ldr %[xi], [%[st], #0]\n\t"           \
  "ldr %[s0], [r0]\n\t"                  \
  "mov %[s1], %[s0]\n\t"                 \
  "mov %[s2], %[s0]\n\t"                 \
  "mov %[s3], %[s0]\n\t"                 \
  "ldr r0, [%[st], #16]\n\t"             \
  "cbnz r0, " b "f\n\t"                  \
  a ":\n\t" CONV4_ASM_GROUP              \
  b ":\n\t" CONV4_ASM_GROUP              \
  "cmp %[xi], %[end]\n\t"                \
  "bne " a "b\n\t"                       \
  "ldr r0, [%[st], #8]\n\t"              \
  "strd %[s0], %[s1], [r0], #8\n\t"      \
  "strd %[s2], %[s3], [r0], #8\n\t"      \
  "str r0, [%[st], #8]\n\t"

// For n channel pairs j (filters w in the pair layout, kp taps each;
// biases bias[2j], bias[2j+1]): acc[8j .. 8j+7] = {oc0 px0..px3, oc1
// px0..px3}, the biases plus the dot products with the four widened pixels
// x (8 lane words per group). The pair's two filters are 4 bytes apart and
// step by 8, so after the first w moves by 4 - 2kp and after the second by
// -4. All in assembly, the pair loop's state in memory (st), 14 registers.
static __attribute__((noinline)) void conv_dot_pairs4(const uint32_t *x, const uint32_t *w, int kp,
                                                      const int32_t *bias, int32_t *acc, int n) {
  struct {
    const uint32_t *x;
    const int32_t *bias;
    int32_t *acc;
    int n;
    int odd;
    int back;
  } st = {x, bias, acc, n, (kp >> 2) & 1, 4 - 2 * kp};
  const uint32_t *end = x + 2 * kp;
  const uint32_t *xi;
  int32_t s0, s1, s2, s3;
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  __asm__ volatile(
      "2:\n\t"
      "ldr r0, [%[st], #4]\n\t"
      CONV4_ASM_FILTER("1", "4")
      "ldr r0, [%[st], #20]\n\t"
      "add %[w], %[w], r0\n\t"
      "ldr r0, [%[st], #4]\n\t"
      "add r0, r0, #4\n\t"
      CONV4_ASM_FILTER("5", "6")
      "sub %[w], %[w], #4\n\t"
      "ldr r0, [%[st], #4]\n\t"
      "add r0, r0, #8\n\t"
      "str r0, [%[st], #4]\n\t"
      "ldr r0, [%[st], #12]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [%[st], #12]\n\t"
      "bne 2b"
      : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [xi] "=&r"(xi), [w] "+r"(w)
      : [end] "r"(end), [st] "r"(&st)
      : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");
}

// CONV4_ASM_FILTER for a group count that is a multiple of 4: groups
// unrolled by four, one compare and branch per 64 MACs.
#define CONV4_ASM_FILTER_X4(a)           \
  "ldr %[xi], [%[st], #0]\n\t"           \
  "ldr %[s0], [r0]\n\t"                  \
  "mov %[s1], %[s0]\n\t"                 \
  "mov %[s2], %[s0]\n\t"                 \
  "mov %[s3], %[s0]\n\t"                 \
  a ":\n\t" CONV4_ASM_GROUP              \
  CONV4_ASM_GROUP                        \
  CONV4_ASM_GROUP                        \
  CONV4_ASM_GROUP                        \
  "cmp %[xi], %[end]\n\t"                \
  "bne " a "b\n\t"                       \
  "ldr r0, [%[st], #8]\n\t"              \
  "strd %[s0], %[s1], [r0], #8\n\t"      \
  "strd %[s2], %[s3], [r0], #8\n\t"      \
  "str r0, [%[st], #8]\n\t"

// conv_dot_pairs4 when kp is a multiple of 16 (whole unrolled blocks).
static __attribute__((noinline)) void conv_dot_pairs4_x4(const uint32_t *x, const uint32_t *w, int kp,
                                                         const int32_t *bias, int32_t *acc, int n) {
  struct {
    const uint32_t *x;
    const int32_t *bias;
    int32_t *acc;
    int n;
    int unused;
    int back;
  } st = {x, bias, acc, n, 0, 4 - 2 * kp};
  const uint32_t *end = x + 2 * kp;
  const uint32_t *xi;
  int32_t s0, s1, s2, s3;
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  __asm__ volatile(
      "2:\n\t"
      "ldr r0, [%[st], #4]\n\t"
      CONV4_ASM_FILTER_X4("1")
      "ldr r0, [%[st], #20]\n\t"
      "add %[w], %[w], r0\n\t"
      "ldr r0, [%[st], #4]\n\t"
      "add r0, r0, #4\n\t"
      CONV4_ASM_FILTER_X4("5")
      "sub %[w], %[w], #4\n\t"
      "ldr r0, [%[st], #4]\n\t"
      "add r0, r0, #8\n\t"
      "str r0, [%[st], #4]\n\t"
      "ldr r0, [%[st], #12]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [%[st], #12]\n\t"
      "bne 2b"
      : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [xi] "=&r"(xi), [w] "+r"(w)
      : [end] "r"(end), [st] "r"(&st)
      : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");
}

// conv_dot_pairs when kp is a multiple of 16: groups unrolled by four.
static __attribute__((noinline)) void conv_dot_pairs_x4(const uint32_t *x, const uint32_t *w, int kp,
                                                        const int32_t *bias, int32_t *acc, int n) {
  struct {
    const uint32_t *x;
    const int32_t *bias;
    int32_t *acc;
    int n;
  } st = {x, bias, acc, n};
  const uint32_t *end = x + kp;
  const uint32_t *xi;
  int32_t s00, s01, s10, s11;
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  __asm__ volatile(
      "2:\n\t"
      "ldr %[xi], [%[st], #0]\n\t"
      "ldr r0, [%[st], #4]\n\t"
      "ldrd %[s00], %[s01], [r0], #8\n\t"
      "str r0, [%[st], #4]\n\t"
      "mov %[s10], %[s00]\n\t"
      "mov %[s11], %[s01]\n\t"
      "1:\n\t" CONV_ASM_GROUP CONV_ASM_GROUP CONV_ASM_GROUP CONV_ASM_GROUP
      "cmp %[xi], %[end]\n\t"
      "bne 1b\n\t"
      "ldr r0, [%[st], #8]\n\t"
      "strd %[s00], %[s01], [r0], #8\n\t"
      "strd %[s10], %[s11], [r0], #8\n\t"
      "str r0, [%[st], #8]\n\t"
      "ldr r0, [%[st], #12]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [%[st], #12]\n\t"
      "bne 2b"
      : [s00] "=&r"(s00), [s01] "=&r"(s01), [s10] "=&r"(s10), [s11] "=&r"(s11), [xi] "=&r"(xi), [w] "+r"(w)
      : [end] "r"(end), [st] "r"(&st)
      : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");
}

// Channel pairs per conv_dot_pairs call (the accumulators live on the stack).
#define CONV_CHUNK 16

// Output channels oc .. oc + 2n - 1 of the two pixels from the
// accumulators of n pairs (oc + 2n <= out_c); o1 = 0 drops pixel 1.
static inline __attribute__((always_inline)) void conv_store(const tm_conv_params_t *p, const int32_t *acc, int oc,
                                                             int n, int8_t *o0, int8_t *o1, int mode) {
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  const int32_t *mult = p->mult + oc, *shift = p->shift + oc;
  o0 += oc;
  if (o1) o1 += oc;
  for (const int32_t *end = acc + 4 * n; acc < end; acc += 4, mult += 2, shift += 2, o0 += 2) {
    const int32_t m0 = mult[0], sh0 = shift[0], m1 = mult[1], sh1 = shift[1];
    o0[0] = tm_dsp_requantize_mode(mode, acc[0], m0, sh0, zp, lo, hi);
    o0[1] = tm_dsp_requantize_mode(mode, acc[1], m1, sh1, zp, lo, hi);
    if (o1) {
      o1[0] = tm_dsp_requantize_mode(mode, acc[2], m0, sh0, zp, lo, hi);
      o1[1] = tm_dsp_requantize_mode(mode, acc[3], m1, sh1, zp, lo, hi);
      o1 += 2;
    }
  }
}

// conv_store for the fast modes when the layer has folded rounding constants.
static inline __attribute__((always_inline)) void conv_store_round(const tm_conv_params_t *p, const int32_t *acc,
                                                                   int oc, int n, int8_t *o0, int8_t *o1,
                                                                   int clamp) {
  const int32_t lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  const int32_t *mult = p->mult + oc, *shift = p->shift + oc, *round = p->round + oc;
  o0 += oc;
  if (o1) o1 += oc;
  for (const int32_t *end = acc + 4 * n; acc < end; acc += 4, mult += 2, shift += 2, round += 2, o0 += 2) {
    const int32_t m0 = mult[0], m1 = mult[1], c0 = round[0], c1 = round[1];
    const int r0 = -shift[0], r1 = -shift[1];
    o0[0] = tm_dsp_requantize_round(acc[0], m0, c0, r0, clamp, lo, hi);
    o0[1] = tm_dsp_requantize_round(acc[1], m1, c1, r1, clamp, lo, hi);
    if (o1) {
      o1[0] = tm_dsp_requantize_round(acc[2], m0, c0, r0, clamp, lo, hi);
      o1[1] = tm_dsp_requantize_round(acc[3], m1, c1, r1, clamp, lo, hi);
      o1 += 2;
    }
  }
}

// Pairs per conv_dot_pairs4 call (8 accumulators each, on the stack).
#define CONV4_CHUNK 8

// Output channels oc .. oc + count - 1 of four pixels (o[k] = pixel k's
// output row) from conv_dot_pairs4 accumulators; channel oc + i reads
// acc[8 * (i / 2) + 4 * (i % 2) + k].
static inline __attribute__((always_inline)) void conv_store4(const tm_conv_params_t *p, const int32_t *acc, int oc,
                                                              int count, int8_t *const *o, int mode) {
  // Locals: int8 stores may alias *p and o[].
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  const int32_t *mult = p->mult + oc, *shift = p->shift + oc, *round = p->round ? p->round + oc : 0;
  int8_t *o0 = o[0] + oc, *o1 = o[1] + oc, *o2 = o[2] + oc, *o3 = o[3] + oc;
  for (int i = 0; i < count; ++i) {
    const int32_t *a = acc + 8 * (i >> 1) + 4 * (i & 1);
    const int32_t m = mult[i], sh = shift[i];
    if (mode != TM_DSP_RQ_CHECKED && round) {
      const int32_t rc = round[i], r = -sh;
      const int clamp = mode == TM_DSP_RQ_FAST;
      o0[i] = tm_dsp_requantize_round(a[0], m, rc, r, clamp, lo, hi);
      o1[i] = tm_dsp_requantize_round(a[1], m, rc, r, clamp, lo, hi);
      o2[i] = tm_dsp_requantize_round(a[2], m, rc, r, clamp, lo, hi);
      o3[i] = tm_dsp_requantize_round(a[3], m, rc, r, clamp, lo, hi);
    } else {
      o0[i] = tm_dsp_requantize_mode(mode, a[0], m, sh, zp, lo, hi);
      o1[i] = tm_dsp_requantize_mode(mode, a[1], m, sh, zp, lo, hi);
      o2[i] = tm_dsp_requantize_mode(mode, a[2], m, sh, zp, lo, hi);
      o3[i] = tm_dsp_requantize_mode(mode, a[3], m, sh, zp, lo, hi);
    }
  }
}

// conv_store4 for the fast modes with folded rounding constants: channel
// by channel (the accumulators of a pair's two filters follow each other),
// the four pixels' outputs out_c bytes apart from o.
static inline __attribute__((always_inline)) void conv_store4_round(const tm_conv_params_t *p, const int32_t *acc,
                                                                    int oc, int count, int8_t *o, int clamp) {
  const int32_t *mult = p->mult + oc, *shift = p->shift + oc, *round = p->round + oc;
  const int32_t lo = p->act_min, hi = p->act_max, step = p->out_c;  // locals: int8 stores may alias *p
  o += oc;
  for (const int32_t *end = acc + 4 * count; acc < end; acc += 4, ++o) {
    const int32_t m = *mult++, c = *round++, r = -*shift++;
    o[0] = tm_dsp_requantize_round(acc[0], m, c, r, clamp, lo, hi);
    o[step] = tm_dsp_requantize_round(acc[1], m, c, r, clamp, lo, hi);
    o[2 * step] = tm_dsp_requantize_round(acc[2], m, c, r, clamp, lo, hi);
    o[3 * step] = tm_dsp_requantize_round(acc[3], m, c, r, clamp, lo, hi);
  }
}

static __attribute__((noinline)) void conv_store4_round_sat(const tm_conv_params_t *p, const int32_t *acc, int oc,
                                                            int count, int8_t *o) {
  conv_store4_round(p, acc, oc, count, o, 0);
}

static __attribute__((noinline)) void conv_store4_round_clamp(const tm_conv_params_t *p, const int32_t *acc, int oc,
                                                              int count, int8_t *o) {
  conv_store4_round(p, acc, oc, count, o, 1);
}

// All output channels of four widened pixels (lanes of 8 words per group).
static void conv_pixels4(const tm_conv_params_t *p, const uint32_t *x, int8_t *const *o, int mode) {
  const int kp = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  const uint32_t *w = (const uint32_t *)(const void *)p->weights;  // generated arrays are 16-byte aligned
  const int pairs = p->out_c >> 1;
  void (*const dot)(const uint32_t *, const uint32_t *, int, const int32_t *, int32_t *, int) =
      (kp & 15) == 0 ? conv_dot_pairs4_x4 : conv_dot_pairs4;
  int32_t acc[8 * CONV4_CHUNK];
  for (int j = 0; j < pairs; j += CONV4_CHUNK) {
    const int n = pairs - j < CONV4_CHUNK ? pairs - j : CONV4_CHUNK;
    dot(x, w + (int32_t)j * (kp / 2), kp, p->bias + 2 * j, acc, n);
    if (mode != TM_DSP_RQ_CHECKED && p->round) {
      if (mode == TM_DSP_RQ_FAST_SAT) {
        conv_store4_round_sat(p, acc, 2 * j, 2 * n, o[0]);
      } else {
        conv_store4_round_clamp(p, acc, 2 * j, 2 * n, o[0]);
      }
    } else if (mode == TM_DSP_RQ_FAST_SAT) {
      conv_store4(p, acc, 2 * j, 2 * n, o, TM_DSP_RQ_FAST_SAT);
    } else if (mode == TM_DSP_RQ_FAST) {
      conv_store4(p, acc, 2 * j, 2 * n, o, TM_DSP_RQ_FAST);
    } else {
      conv_store4(p, acc, 2 * j, 2 * n, o, TM_DSP_RQ_CHECKED);
    }
  }
  if (p->out_c & 1) {  // the last channel pairs with zero weights
    const int32_t bias[2] = {p->bias[p->out_c - 1], 0};
    dot(x, w + (int32_t)pairs * (kp / 2), kp, bias, acc, 1);
    conv_store4(p, acc, p->out_c - 1, 1, o, TM_DSP_RQ_CHECKED);
  }
}

// All output channels of the two widened pixels (o1 = 0: only the first).
static void conv_pixels(const tm_conv_params_t *p, const uint32_t *x, int8_t *o0, int8_t *o1, int mode) {
  const int kp = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  const uint32_t *w = (const uint32_t *)(const void *)p->weights;  // generated arrays are 16-byte aligned
  const int pairs = p->out_c >> 1;
  void (*const dot)(const uint32_t *, const uint32_t *, int, const int32_t *, int32_t *, int) =
      (kp & 15) == 0 ? conv_dot_pairs_x4 : conv_dot_pairs;
  int32_t acc[4 * CONV_CHUNK];
  for (int j = 0; j < pairs; j += CONV_CHUNK) {
    const int n = pairs - j < CONV_CHUNK ? pairs - j : CONV_CHUNK;
    dot(x, w + (int32_t)j * (kp / 2), kp, p->bias + 2 * j, acc, n);
    if (mode != TM_DSP_RQ_CHECKED && p->round) {
      if (mode == TM_DSP_RQ_FAST_SAT) {
        conv_store_round(p, acc, 2 * j, n, o0, o1, 0);
      } else {
        conv_store_round(p, acc, 2 * j, n, o0, o1, 1);
      }
    } else if (mode == TM_DSP_RQ_FAST_SAT) {
      conv_store(p, acc, 2 * j, n, o0, o1, TM_DSP_RQ_FAST_SAT);
    } else if (mode == TM_DSP_RQ_FAST) {
      conv_store(p, acc, 2 * j, n, o0, o1, TM_DSP_RQ_FAST);
    } else {
      conv_store(p, acc, 2 * j, n, o0, o1, TM_DSP_RQ_CHECKED);
    }
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
  const int quad = kp <= TM_CONV_QUAD_MAX_KP;
  uint32_t *wide = (uint32_t *)(void *)p->scratch;  // 8 * kp (quad) or 4 * kp bytes, then one int8 patch when !wide_c
  int8_t *patch = p->scratch + (quad ? 8 : 4) * kp;
  const int fast = tm_dsp_fast_ok(p->bias, p->shift, p->out_c, (int32_t)p->k_h * p->k_w * p->in_c);
  const int mode = !fast ? TM_DSP_RQ_CHECKED : (p->act_min == -128 && p->act_max == 127 ? TM_DSP_RQ_FAST_SAT : TM_DSP_RQ_FAST);
  int px = oy0 * p->out_w;
  for (; quad && px + 4 <= pixels; px += 4) {  // four pixels per tile
    int8_t *o[4];
    for (int k = 0; k < 4; ++k) {
      const int q = px + k, oy = q / p->out_w, ox = q % p->out_w;
      if (wide_c) {
        conv_gather_wide(p, in, oy, ox, wide + 2 * k, 8);
      } else {
        conv_gather(p, in, oy, ox, patch);
        conv_widen(patch, kp, wide + 2 * k, 8);
      }
      o[k] = out + k * p->out_c;
    }
    conv_pixels4(p, wide, o, mode);
    out += 4 * p->out_c;
  }
  for (; px < pixels; px += 2) {  // two pixels per tile (and the last 1..3 of the quad tiles)
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
    conv_pixels(p, wide, out, count == 2 ? out + p->out_c : 0, mode);
    out += 2 * p->out_c;
  }
}
