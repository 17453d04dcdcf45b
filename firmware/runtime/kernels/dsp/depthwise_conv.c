// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D for Cortex-M with the DSP extension. Undilated 3x3
// windows (the usual depthwise layer, any channel count and depth
// multiplier) run one channel quad at a time over the whole layer from
// input rows paired into int16 blocks, each gathered once (dw_block_layer
// below). Other windows, and 3x3 layers the planner put in place with the
// output not whole pixels below the input, copy the k_h input rows of each
// output row into scratch with zero-point padding (expanded to the output
// channels, padded to quads, when depth_mult > 1 or in_c % 4 != 0), so the
// inner loops have no bounds checks: four channels per word (SXTB16 splits
// them into lanes, SMLABB/SMLATT accumulate each lane), weights stored per
// channel quad so they stream in order, 3x3 windows unrolled in assembly.
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/depthwise_conv.h"

#include <stddef.h>

#include "kernels/dsp/dsp_common.h"
#include "reference/depthwise_conv.h"

// Copies the input rows of output row oy into scratch, padded to wp pixels.
static void dw_gather_rows(const tm_depthwise_conv_params_t *p, const int8_t *in, int oy, int wp) {
  const int c = p->in_c;
  const int x0 = -p->pad_left;
  const int lead = x0 < 0 ? (-x0 < wp ? -x0 : wp) : 0;       // padded pixels before column 0
  const int avail = p->in_w - (x0 + lead);                     // input pixels from there on
  const int body = avail < wp - lead ? (avail > 0 ? avail : 0) : wp - lead;
  int8_t *dst = p->scratch;
  for (int ky = 0; ky < p->k_h; ++ky, dst += wp * c) {
    const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) {
      memset(dst, (int)p->in_zp, (size_t)(wp * c));
      continue;
    }
    memset(dst, (int)p->in_zp, (size_t)(lead * c));
    memcpy(dst + lead * c, in + ((int32_t)iy * p->in_w + x0 + lead) * c, (size_t)(body * c));
    memset(dst + (lead + body) * c, (int)p->in_zp, (size_t)((wp - lead - body) * c));
  }
}

// dw_gather_rows for any depth multiplier and channel count: each gathered
// pixel holds the input value of every output channel (channel oc reads
// input channel oc / depth_mult), padded to cq (a multiple of 4) with the
// zero point, whose weights are zero.
static void dw_gather_rows_expand(const tm_depthwise_conv_params_t *p, const int8_t *in, int oy, int wp, int cq) {
  const int ic = p->in_c, dm = p->depth_mult;
  const int8_t zp = (int8_t)p->in_zp;
  int8_t *dst = p->scratch;
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    for (int x = 0; x < wp; ++x, dst += cq) {
      const int ix = x - p->pad_left;
      if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
        memset(dst, zp, (size_t)cq);
        continue;
      }
      const int8_t *src = in + ((int32_t)iy * p->in_w + ix) * ic;
      int c = 0;
      if (dm == 1) {  // channels not a multiple of 4: a plain copy
        for (; c < ic; ++c) dst[c] = src[c];
      } else {
        for (int i = 0; i < ic; ++i) {
          for (int k = 0; k < dm; ++k) dst[c++] = src[i];
        }
      }
      for (; c < cq; ++c) dst[c] = zp;
    }
  }
}

// One tap: four channel lanes of input word u times weight word f.
#define DW_TAP(u, f)                                         \
  do {                                                       \
    const uint32_t u_ = (u), f_ = (f);                       \
    const int32_t ue_ = tm_dsp_even(u_), uo_ = tm_dsp_odd(u_); \
    const int32_t fe_ = tm_dsp_even(f_), fo_ = tm_dsp_odd(f_); \
    a0 = __smlabb(ue_, fe_, a0);                             \
    a2 = __smlatt(ue_, fe_, a2);                             \
    a1 = __smlabb(uo_, fo_, a1);                             \
    a3 = __smlatt(uo_, fo_, a3);                             \
  } while (0)

// Four channel lanes of one tap: u (input word) split into even/odd lanes
// times the tap's widened weight words (fe: even lanes, f: odd lanes, one
// LDRD, advanced), SMLABB/SMLATT into a0..a3.
#define DW_ASM_TAP                        \
  "ldrd %[fe], %[f], [%[w]], #8\n\t"      \
  "sxtb16 %[ue], %[u]\n\t"                \
  "smlabb %[a0], %[ue], %[fe], %[a0]\n\t" \
  "smlatt %[a2], %[ue], %[fe], %[a2]\n\t" \
  "sxtb16 %[u], %[u], ror #8\n\t"         \
  "smlabb %[a1], %[u], %[f], %[a1]\n\t"   \
  "smlatt %[a3], %[u], %[f], %[a3]\n\t"

// One window row of three taps step bytes apart; leaves x on the third tap.
#define DW_ASM_ROW                              \
  "ldr %[u], [%[x]]\n\t" DW_ASM_TAP             \
  "ldr %[u], [%[x], %[step]]\n\t" DW_ASM_TAP    \
  "add %[x], %[x], %[step], lsl #1\n\t"         \
  "ldr %[u], [%[x]]\n\t" DW_ASM_TAP

// Layer constants read once: stores through int8_t pointers could alias
// the params, so the compiler would reload them after every byte.
typedef struct {
  const int8_t *weights;
  const int32_t *bias, *mult, *shift;
  int32_t zp, lo, hi;
  int k_h, k_w, taps;
  int step;      // bytes between the taps of a window row (dil_w * in_c)
  int row;       // bytes between window rows in the gathered rows
  int pixel;     // bytes between output pixels' windows (stride_w * in_c)
  int cc;        // gathered channels (a multiple of 4)
  int oc;        // output channels (<= cc): bytes between output pixels
} dw_layer_t;

// One output row: every output pixel of it, channels in quads, from the
// gathered rows x.
static inline __attribute__((always_inline)) void dw_out_row(const dw_layer_t *l, const int8_t *x, int out_w,
                                                             int8_t *out, int mode) {
  const int cc = l->cc, oc = l->oc, k_h = l->k_h, k_w = l->k_w, taps = l->taps;
  const int step = l->step, row = l->row;
  const int32_t zp = l->zp, lo = l->lo, hi = l->hi;
  for (int ox = 0; ox < out_w; ++ox, x += l->pixel, out += oc) {
    for (int c = 0; c < cc; c += 4) {
      const uint32_t *w = (const uint32_t *)(const void *)(l->weights + c * taps);  // 16-byte aligned array
      const int8_t *xc = x + c;
      const int n = oc - c < 4 ? oc - c : 4;  // the last quad may be partial (zero weights past oc)
      int32_t b[4] = {0, 0, 0, 0};
      if (n == 4) {
        b[0] = l->bias[c], b[1] = l->bias[c + 1], b[2] = l->bias[c + 2], b[3] = l->bias[c + 3];
      } else {
        for (int k = 0; k < n; ++k) b[k] = l->bias[c + k];
      }
      // Bound: k_h*k_w taps of |x*w| <= 2^14 plus the bias.
      int32_t a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3];
      const int skip = row - k_w * step;
      for (int ky = 0; ky < k_h; ++ky, xc += skip) {
        for (int kx = 0; kx < k_w; ++kx, ++w, xc += step) DW_TAP(tm_dsp_load4(xc), *w);
      }
      const int32_t *m = l->mult + c, *sh = l->shift + c;
      int8_t *o = out + c;
      if (n == 4) {
        o[0] = tm_dsp_requantize_mode(mode, a0, m[0], sh[0], zp, lo, hi);
        o[1] = tm_dsp_requantize_mode(mode, a1, m[1], sh[1], zp, lo, hi);
        o[2] = tm_dsp_requantize_mode(mode, a2, m[2], sh[2], zp, lo, hi);
        o[3] = tm_dsp_requantize_mode(mode, a3, m[3], sh[3], zp, lo, hi);
      } else {
        const int32_t a[4] = {a0, a1, a2, a3};
        for (int k = 0; k < n; ++k) o[k] = tm_dsp_requantize_mode(mode, a[k], m[k], sh[k], zp, lo, hi);
      }
    }
  }
}

// Per-quad constants of dw_quad_row_sat, in this order in an int32 table.
enum { DW_T_MULT = 0, DW_T_ROUND = 4, DW_T_SHIFT = 8, DW_T_BIAS = 12, DW_T_XADV = 16, DW_T_OADV = 17, DW_T_COUNT = 18,
       DW_T_SIZE = 19 };
_Static_assert(DW_T_ROUND == 4 && DW_T_SHIFT == 8 && DW_T_BIAS == 12 && DW_T_XADV == 16 && DW_T_OADV == 17 &&
                   DW_T_COUNT == 18,
               "dw_quad_row_sat's assembly reads the table at these word offsets");

// One requantized output lane k of accumulator a: SMMULR(2a, mult), plus
// the rounding constant (half + zp << right), minus 1 when negative,
// arithmetic shift right, SSAT to int8, store at o + k.
#define DW_ASM_OUT(a, k)                                 \
  "ldr %[f], [%[t], #" #k "*4]\n\t"                       \
  "lsl %[" a "], %[" a "], #1\n\t"                        \
  "smmulr %[" a "], %[" a "], %[f]\n\t"                   \
  "ldr %[f], [%[t], #(16+" #k "*4)]\n\t"                  \
  "add %[ue], %[" a "], %[f]\n\t"                         \
  "sub %[ue], %[ue], %[" a "], lsr #31\n\t"               \
  "ldr %[f], [%[t], #(32+" #k "*4)]\n\t"                  \
  "asr %[ue], %[ue], %[f]\n\t"                            \
  "ssat %[ue], #8, %[ue]\n\t"                             \
  "strb %[ue], [%[o], #" #k "]\n\t"

// t[DW_T_COUNT] output pixels of one channel quad of a 3x3 depthwise row:
// x (window of the first pixel, advanced by t[DW_T_XADV] after its last
// tap), w (the 9 taps' widened weights, even-lane word then odd-lane word),
// o (output, advanced by t[DW_T_OADV]); the requantization is exact when
// every shift is in [-22, -1] (the caller checks), as then h + round stays
// below 2^31. All in assembly: 14 registers, so the loop state stays in t.
static __attribute__((noinline)) void dw_quad_row_sat(int32_t *t, const int8_t *x, const uint32_t *w, int8_t *o,
                                                      int step, int skip) {
  // Bound: 9 taps of |x*w| <= 2^14 plus the bias.
  int32_t a0, a1, a2, a3;
  uint32_t u, f, ue, fe;
  __asm__ volatile(
      "3:\n\t"
      "ldrd %[a0], %[a1], [%[t], #48]\n\t"
      "ldrd %[a2], %[a3], [%[t], #56]\n\t"
      DW_ASM_ROW "add %[x], %[x], %[skip]\n\t" DW_ASM_ROW "add %[x], %[x], %[skip]\n\t" DW_ASM_ROW
      DW_ASM_OUT("a0", 0) DW_ASM_OUT("a1", 1) DW_ASM_OUT("a2", 2) DW_ASM_OUT("a3", 3)
      "ldr %[f], [%[t], #64]\n\t"
      "add %[x], %[x], %[f]\n\t"
      "ldr %[f], [%[t], #68]\n\t"
      "add %[o], %[o], %[f]\n\t"
      "sub %[w], %[w], #72\n\t"
      "ldr %[f], [%[t], #72]\n\t"
      "subs %[f], %[f], #1\n\t"
      "str %[f], [%[t], #72]\n\t"
      "bne 3b"
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "+r"(x), [w] "+r"(w), [o] "+r"(o),
        [u] "=&r"(u), [f] "=&r"(f), [ue] "=&r"(ue), [fe] "=&r"(fe)
      : [step] "r"(step), [skip] "r"(skip), [t] "r"(t)
      : "cc", "memory");
}

// dw_out_row for 3x3 windows without a fused activation clamp and with
// shifts in [-22, -1] (the usual case): per channel quad, a constants
// table, then the whole row in dw_quad_row_sat.
static void dw_out_row_3x3_sat(const dw_layer_t *l, const int8_t *x, int out_w, int8_t *out) {
  const int cc = l->cc, step = l->step, skip = l->row - 2 * l->step;
  int32_t t[DW_T_SIZE];
  uint32_t wide[18];  // the quad's 9 weight words, widened to even and odd lanes
  t[DW_T_XADV] = l->pixel - 2 * l->row - 2 * step;
  t[DW_T_OADV] = cc;
  for (int c = 0; c < cc; c += 4) {
    for (int k = 0; k < 4; ++k) {
      const int real = c + k < l->oc;  // lanes past the last channel compute zeros nobody reads
      const int right = real ? -l->shift[c + k] : 1;
      t[DW_T_MULT + k] = real ? l->mult[c + k] : 0;
      t[DW_T_ROUND + k] = (int32_t)(1u << (right - 1)) + (int32_t)((uint32_t)l->zp << right);
      t[DW_T_SHIFT + k] = right;
      t[DW_T_BIAS + k] = real ? l->bias[c + k] : 0;
    }
    t[DW_T_COUNT] = out_w;
    const int8_t *wq = l->weights + c * 9;
    for (int k = 0; k < 9; ++k) {
      const uint32_t v = tm_dsp_load4(wq + 4 * k);
      wide[2 * k] = (uint32_t)tm_dsp_even(v);
      wide[2 * k + 1] = (uint32_t)tm_dsp_odd(v);
    }
    dw_quad_row_sat(t, x + c, wide, out + c, step, skip);
  }
}

// 3x3 windows (dilation 1), one channel quad at a time over the whole layer.
// Input rows are paired into blocks, block b = rows 2b - pad_top and the
// next, kept per column as four words: lane k's (first row, second row) as
// an int16 pair, so one SMLAD does two taps. Every output row reads two
// consecutive blocks A and B, in one of two patterns: window rows 0, 1 are
// A and row 2 is B's first row, or row 0 is A's second row and rows 1, 2
// are B. The weights put zero in the unused halves, so both patterns are 8
// SMLAD per window column. Scratch holds A and B side by side per column
// (32 bytes), so each block is gathered once per layer and quad.

// Top half of lo as the bottom half, top half of hi kept: PKHTB.
static inline uint32_t dw_pkhtb(uint32_t hi, uint32_t lo) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
  return r;
}

// Bottom half of lo kept, bottom half of hi as the top half: PKHBT.
static inline uint32_t dw_pkhbt(uint32_t lo, uint32_t hi) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}

// Two int16 lanes (lo, hi) in one word.
static inline uint32_t dw_pair16(int32_t lo, int32_t hi) { return (uint16_t)lo | ((uint32_t)(uint16_t)hi << 16); }

// Lane k's (lo, hi) int16 pair for lanes 0..3, from the even (lanes 0, 2)
// and odd (1, 3) halves of the lo and hi words.
static inline void dw_lane_pairs(uint32_t e_lo, uint32_t o_lo, uint32_t e_hi, uint32_t o_hi, uint32_t *dst) {
  dst[0] = dw_pkhbt(e_lo, e_hi);
  dst[1] = dw_pkhbt(o_lo, o_hi);
  dst[2] = dw_pkhtb(e_hi, e_lo);
  dst[3] = dw_pkhtb(o_hi, o_lo);
}

// Where a block's rows come from and where its columns go (the first six
// fields in the order dw_block_gather's LDM reads them).
typedef struct {
  const int8_t *row0, *row1;  // each row's first image pixel (plus the quad's channel for whole words)
  int32_t step0, step1;       // bytes per column; 0 on the zero-point word for a padded row
  uint32_t *dst, *end;        // the block's word in its first image column, and one column past the last
  const int8_t *lane;         // each lane's byte in a pixel, or 0: the quad's bytes are one word
} dw_block_src_t;
_Static_assert(offsetof(dw_block_src_t, row0) == 0 && offsetof(dw_block_src_t, row1) == 4 &&
                   offsetof(dw_block_src_t, step0) == 8 && offsetof(dw_block_src_t, step1) == 12 &&
                   offsetof(dw_block_src_t, dst) == 16 && offsetof(dw_block_src_t, end) == 20,
               "DW_GATHER_ASM loads the first six fields of dw_block_src_t with one LDM");

// The word of four lanes at pixel px: one load, or its lanes byte by byte.
static inline uint32_t dw_block_word(const int8_t *lane, const int8_t *px, int32_t step) {
  if (!lane || step == 0) return tm_dsp_load4(px);
  return (uint8_t)px[lane[0]] | (uint32_t)(uint8_t)px[lane[1]] << 8 | (uint32_t)(uint8_t)px[lane[2]] << 16 |
         (uint32_t)(uint8_t)px[lane[3]] << 24;
}

// One block column from the quad words of its rows at [r0] and [r1]
// (advanced by r2 and r3): the four pair words stored at r4 (advanced by a
// column), until r4 reaches r5. COPY first moves the column's old B to A.
#define DW_GATHER_ASM(COPY)                \
  "ldmia r0, {r0, r1, r2, r3, r4, r5}\n\t" \
  "1:\n\t" COPY                             \
  "ldr r6, [r0]\n\t"                       \
  "add r0, r0, r2\n\t"                     \
  "ldr r7, [r1]\n\t"                       \
  "add r1, r1, r3\n\t"                     \
  "sxtb16 r8, r6\n\t"                      \
  "sxtb16 r6, r6, ror #8\n\t"              \
  "sxtb16 r9, r7\n\t"                      \
  "sxtb16 r7, r7, ror #8\n\t"              \
  "pkhbt r10, r8, r9, lsl #16\n\t"         \
  "pkhbt r11, r6, r7, lsl #16\n\t"         \
  "pkhtb r12, r9, r8, asr #16\n\t"         \
  "pkhtb lr, r7, r6, asr #16\n\t"          \
  "stmia r4, {r10, r11, r12, lr}\n\t"      \
  "add r4, r4, #32\n\t"                    \
  "cmp r4, r5\n\t"                         \
  "bne 1b"

// A block's columns; with shift set (g->dst on B), the old B moves to A
// first.
static __attribute__((noinline)) void dw_block_gather(const dw_block_src_t *g, int shift) {
  if (!g->lane) {  // whole quad words: in assembly
    register const dw_block_src_t *g_r __asm__("r0") = g;
    if (shift) {
      __asm__ volatile(DW_GATHER_ASM("ldmia r4, {r6, r7, r8, r9}\n\tstmdb r4, {r6, r7, r8, r9}\n\t")
                       : "+r"(g_r)
                       :
                       : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr", "cc",
                         "memory");
    } else {
      __asm__ volatile(DW_GATHER_ASM("")
                       : "+r"(g_r)
                       :
                       : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr", "cc",
                         "memory");
    }
    return;
  }
  const int8_t *r0 = g->row0, *r1 = g->row1;
  const int32_t s0 = g->step0, s1 = g->step1;
  for (uint32_t *dst = g->dst; dst != g->end; dst += 8, r0 += s0, r1 += s1) {
    if (shift) {
      dst[-4] = dst[0], dst[-3] = dst[1], dst[-2] = dst[2], dst[-1] = dst[3];
    }
    const uint32_t u0 = dw_block_word(g->lane, r0, s0), u1 = dw_block_word(g->lane, r1, s1);
    dw_lane_pairs((uint32_t)tm_dsp_even(u0), (uint32_t)tm_dsp_odd(u0), (uint32_t)tm_dsp_even(u1),
                  (uint32_t)tm_dsp_odd(u1), dst);
  }
}

// A quad's table for one row pattern, walked by one pointer in this order
// (the word offsets of each part).
enum { DW_B_BIAS = 0, DW_B_W = 4, DW_B_OUT = 28, DW_B_OADV = 29, DW_B_XADV = 30, DW_B_END = 31, DW_B_RQ = 32,
       DW_B_SIZE = 44 };

// One window column: LDM A's words (r7-r10) and their weights (r0, r11,
// r12, lr), 4 SMLAD, then the same for B.
#define DW_BLOCK_ASM_HALF               \
  "ldmia r1!, {r7, r8, r9, r10}\n\t"    \
  "ldmia r2!, {r0, r11, r12, lr}\n\t"   \
  "smlad r3, r7, r0, r3\n\t"            \
  "smlad r4, r8, r11, r4\n\t"           \
  "smlad r5, r9, r12, r5\n\t"           \
  "smlad r6, r10, lr, r6\n\t"

// Lane k of the doubled accumulator a, with (m, c, r) in registers:
// SMMLAR adds c (half + zp << r) to the high product, minus 1 when it is
// negative (the accumulator's sign stands in for the product's: they differ
// only when the product is 0, which never ties), shift, SSAT, store.
#define DW_BLOCK_ASM_OUT(a, m, c, r, k) \
  "smmlar " m ", " a ", " m ", " c "\n\t" \
  "sub " m ", " m ", " a ", lsr #31\n\t"  \
  "asr " m ", " m ", " r "\n\t"           \
  "ssat " m ", #8, " m "\n\t"             \
  "strb " m ", [r0, #" #k "]\n\t"

// The output pixels of one row and quad, from t (a table as above, its
// output pointer advanced by oadv per pixel until the end) and x (the first
// window's columns, advanced by xadv after each window's three). Exact when
// every shift is in [-22, -1] and |acc| < 2^30 (tm_dsp_fast_ok): the
// rounding constant plus the high product stays in int32.
static __attribute__((noinline)) void dw_block_row(int32_t *t, const uint32_t *x) {
  register int32_t *t_r __asm__("r2") = t;
  register const uint32_t *x_r __asm__("r1") = x;
  // Bound: 9 taps of |x*w| <= 2^14 each, doubled, plus the doubled bias.
  __asm__ volatile(
      "1:\n\t"
      "ldmia r2!, {r3, r4, r5, r6}\n\t"
      DW_BLOCK_ASM_HALF DW_BLOCK_ASM_HALF DW_BLOCK_ASM_HALF DW_BLOCK_ASM_HALF DW_BLOCK_ASM_HALF
      DW_BLOCK_ASM_HALF
      "ldmia r2!, {r0, r7, r8, r9}\n\t"
      "add r1, r1, r8\n\t"
      "add r7, r0, r7\n\t"
      "str r7, [r2, #-16]\n\t"
      "cmp r7, r9\n\t"
      "ldmia r2!, {r7, r8, r9, r10, r11, r12}\n\t"
      DW_BLOCK_ASM_OUT("r3", "r7", "r8", "r9", 0) DW_BLOCK_ASM_OUT("r4", "r10", "r11", "r12", 1)
      "ldmia r2!, {r7, r8, r9, r10, r11, r12}\n\t"
      DW_BLOCK_ASM_OUT("r5", "r7", "r8", "r9", 2) DW_BLOCK_ASM_OUT("r6", "r10", "r11", "r12", 3)
      "sub r2, r2, #176\n\t"
      "bne 1b"
      : "+r"(t_r), "+r"(x_r)
      :
      : "r0", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
}

// Points g at block b's rows (2b - pad_top and the next) from base (the
// input, plus the quad's channel for whole words), into half h of n
// columns from first.
static inline void dw_block_at(const tm_depthwise_conv_params_t *p, const int8_t *base, const int8_t *zpw, int b,
                               uint32_t *first, int n, int h, dw_block_src_t *g) {
  const int32_t row = (int32_t)p->in_w * p->in_c;
  const int iy = 2 * b - p->pad_top;
  const int in0 = iy >= 0 && iy < p->in_h, in1 = iy + 1 >= 0 && iy + 1 < p->in_h;
  g->row0 = in0 ? base + iy * row : zpw;
  g->row1 = in1 ? base + (iy + 1) * row : zpw;
  g->step0 = in0 ? p->in_c : 0;
  g->step1 = in1 ? p->in_c : 0;
  g->dst = first + 4 * h;
  g->end = g->dst + 8 * n;
}

// Lanes 0, 2 (even) or 1, 3 (odd) of u as int16, doubled.
static inline uint32_t dw_even2(uint32_t u) { return __sadd16((uint32_t)tm_dsp_even(u), (uint32_t)tm_dsp_even(u)); }
static inline uint32_t dw_odd2(uint32_t u) { return __sadd16((uint32_t)tm_dsp_odd(u), (uint32_t)tm_dsp_odd(u)); }

// The quad's tables for even rows (te) and odd rows (to), all but the row
// state. Lanes past out_c repeat the last channel's constants; their
// weights are zero and their outputs are not stored.
static __attribute__((noinline)) void dw_block_tables(const tm_depthwise_conv_params_t *p, int c, int n,
                                                      int32_t *te, int32_t *to) {
  const uint32_t zp = (uint32_t)p->out_zp;
  const int32_t *bias = p->bias + c, *mult = p->mult + c, *shift = p->shift + c;
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    const int i = k < n ? k : n - 1;
    const int32_t b = 2 * bias[i], m = mult[i], right = -shift[i];
    const int32_t round = (int32_t)((1u << (right - 1)) + (zp << right));
    te[DW_B_BIAS + k] = b, to[DW_B_BIAS + k] = b;
    te[DW_B_RQ + 3 * k] = m, to[DW_B_RQ + 3 * k] = m;
    te[DW_B_RQ + 3 * k + 1] = round, to[DW_B_RQ + 3 * k + 1] = round;
    te[DW_B_RQ + 3 * k + 2] = right, to[DW_B_RQ + 3 * k + 2] = right;
  }
  const int8_t *wq = p->weights + c * 9;  // [ky][kx][4]
  uint32_t *we = (uint32_t *)&te[DW_B_W], *wo = (uint32_t *)&to[DW_B_W];
  for (int kx = 0; kx < 3; ++kx, wq += 4, we += 8, wo += 8) {
    const uint32_t u0 = tm_dsp_load4(wq), u1 = tm_dsp_load4(wq + 12), u2 = tm_dsp_load4(wq + 24);
    const uint32_t e0 = dw_even2(u0), o0 = dw_odd2(u0), e1 = dw_even2(u1), o1 = dw_odd2(u1);
    const uint32_t e2 = dw_even2(u2), o2 = dw_odd2(u2);
    dw_lane_pairs(e0, o0, e1, o1, we);  // even rows, A: window rows 0, 1
    dw_lane_pairs(e2, o2, 0, 0, we + 4);  // B: window row 2 is its first row
    dw_lane_pairs(0, 0, e0, o0, wo);      // odd rows, A: window row 0 is its second
    dw_lane_pairs(e1, o1, e2, o2, wo + 4);
  }
}

// The whole layer quad by quad (3x3, dilation 1, shifts in [-22, -1],
// tm_dsp_fast_ok, no clamp: the caller clamps). Scratch: 32 * wp bytes of
// block columns, then for a partial last quad one output row of 4 lanes
// per pixel. Weights and biases are doubled (2w fits an int16 lane), so
// the accumulator is the 2 * acc that SMMLAR needs.
static void dw_block_layer(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out, int wp) {
  const int oc = p->out_c, ow = p->out_w, oh = p->out_h, dm = p->depth_mult, sh = p->stride_h;
  const int8_t zp = (int8_t)p->in_zp;
  const int8_t zpw[4] = {zp, zp, zp, zp};
  const uint32_t zz = dw_pair16(zp, zp);
  uint32_t *cols = (uint32_t *)(void *)p->scratch;  // the planner aligns buffers to 4 bytes
  int8_t *part = p->scratch + 32 * wp;
  const int lead = p->pad_left < wp ? p->pad_left : wp;  // padded columns, then image ones
  const int n_cols = p->in_w < wp - lead ? p->in_w : wp - lead;
  int32_t tab[2][DW_B_SIZE];
  for (int j = 0; j < 8 * wp; ++j) cols[j] = zz;  // padded columns stay so
  for (int c = 0; c < oc; c += 4) {
    const int n = oc - c < 4 ? oc - c : 4;
    int8_t lane[4];
    dw_block_src_t g = {0, 0, 0, 0, 0, 0, 0};
    const int8_t *base = in + c;
    if (dm != 1 || n < 4) {  // lanes gathered byte by byte; lanes past oc repeat the last channel
      for (int k = 0; k < 4; ++k) lane[k] = (int8_t)((c + (k < n ? k : n - 1)) / dm);
      g.lane = lane;
      base = in;
    }
    dw_block_tables(p, c, n, tab[0], tab[1]);
    const int oadv = n == 4 ? oc : 4;
    tab[0][DW_B_OADV] = tab[1][DW_B_OADV] = oadv;
    tab[0][DW_B_XADV] = tab[1][DW_B_XADV] = 32 * p->stride_w - 96;
    int have = -2;  // the block in A
    for (int oy = 0; oy < oh; ++oy) {
      const int rel = oy * sh, a = rel >> 1;
      if (a != have && n_cols > 0) {
        const int shift = a == have + 1;
        if (!shift) {
          dw_block_at(p, base, zpw, a, cols + 8 * lead, n_cols, 0, &g);
          dw_block_gather(&g, 0);
        }
        dw_block_at(p, base, zpw, a + 1, cols + 8 * lead, n_cols, 1, &g);
        dw_block_gather(&g, shift);
      }
      have = a;
      int32_t *t = tab[rel & 1];
      int8_t *o = out + (int32_t)oy * ow * oc + c;
      int8_t *dst = n == 4 ? o : part;
      t[DW_B_OUT] = (int32_t)(intptr_t)dst;
      t[DW_B_END] = (int32_t)(intptr_t)(dst + ow * oadv);
      dw_block_row(t, cols);
      if (n < 4) {
        for (int ox = 0; ox < ow; ++ox, o += oc) {
          for (int k = 0; k < n; ++k) o[k] = part[4 * ox + k];
        }
      }
    }
  }
}

// True when dw_block_layer may run quad by quad over the layer: the output
// does not overlap the input, or (depth multiplier 1) it is the in-place
// plan (output below the input by the planner's lag, which keeps
// pixel-order writes behind the reads) shifted by whole pixels, so a
// quad's writes only land on the same quad of input pixels already read.
static int dw_quad_order_safe(const tm_depthwise_conv_params_t *p, const int8_t *in, const int8_t *out) {
  const int32_t in_bytes = (int32_t)p->in_h * p->in_w * p->in_c, out_bytes = (int32_t)p->out_h * p->out_w * p->out_c;
  if (out + out_bytes <= in || in + in_bytes <= out) return 1;
  return p->depth_mult == 1 && out <= in && (in - out) % p->in_c == 0;
}

// True when every shift is in [-22, -1]: dw_quad_row_sat's rounding
// constant (half + zp << right) and its sum with the high product fit.
static int dw_shifts_small(const int32_t *shift, int n) {
  for (int i = 0; i < n; ++i) {
    if (shift[i] > -1 || shift[i] < -22) return 0;
  }
  return 1;
}

// The fused activation clamp over n outputs the saturating paths wrote:
// four bytes per step, SSUB8 setting each byte's GE flag where it is >= the
// bound and SEL picking per byte (max with lo, then min with hi).
static void dw_clamp(int8_t *o, int32_t n, int32_t lo, int32_t hi) {
  const uint32_t lo4 = (uint8_t)lo * 0x01010101u, hi4 = (uint8_t)hi * 0x01010101u;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t v = tm_dsp_load4(o + i), t;
    __asm__("ssub8 %[t], %[v], %[lo]\n\t"
            "sel %[v], %[v], %[lo]\n\t"
            "ssub8 %[t], %[hi], %[v]\n\t"
            "sel %[v], %[v], %[hi]"
            : [v] "+r"(v), [t] "=&r"(t)
            : [lo] "r"(lo4), [hi] "r"(hi4)
            : "cc");
    tm_dsp_store4(o + i, v);
  }
  for (; i < n; ++i) o[i] = (int8_t)(o[i] < lo ? lo : (o[i] > hi ? hi : o[i]));
}

void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  if (!p->scratch) {
    tm_ref_depthwise_conv(p, in, out);
    return;
  }
  const int wp = (p->out_w - 1) * p->stride_w + (p->k_w - 1) * p->dil_w + 1;
  const int dense = p->depth_mult == 1 && (p->in_c & 3) == 0;  // else gathered with expanded channels
  const int oc = p->out_c, cc = (oc + 3) & ~3, taps = p->k_h * p->k_w;
  const dw_layer_t l = {p->weights, p->bias, p->mult, p->shift, p->out_zp, p->act_min, p->act_max,
                        p->k_h, p->k_w, taps, p->dil_w * cc, wp * cc, p->stride_w * cc, cc, oc};
  const int fast = tm_dsp_fast_ok(p->bias, p->shift, oc, taps);
  const int small = dw_shifts_small(p->shift, oc);
  const int mode = !fast ? TM_DSP_RQ_CHECKED : (p->act_min == -128 && p->act_max == 127 ? TM_DSP_RQ_FAST_SAT : TM_DSP_RQ_FAST);
  // A fused activation clamp (mode FAST) takes the saturating 3x3 paths, then dw_clamp.
  const int clamp = mode == TM_DSP_RQ_FAST;
  if (mode != TM_DSP_RQ_CHECKED && p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 && small &&
      dw_quad_order_safe(p, in, out)) {
    dw_block_layer(p, in, out, wp);
    if (clamp) dw_clamp(out, (int32_t)p->out_h * p->out_w * oc, p->act_min, p->act_max);
    return;
  }
  const int32_t out_row = (int32_t)p->out_w * oc;
  for (int oy = 0; oy < p->out_h; ++oy) {
    if (dense) {
      dw_gather_rows(p, in, oy, wp);
    } else {
      dw_gather_rows_expand(p, in, oy, wp, cc);
    }
    int8_t *o = out + oy * out_row;
    if (mode != TM_DSP_RQ_CHECKED && p->k_h == 3 && p->k_w == 3 && small) {
      if (oc == cc) {  // whole quads
        dw_out_row_3x3_sat(&l, p->scratch, p->out_w, o);
      } else {  // a partial last quad: whole quads into the padded row after the gathered rows, then oc per pixel
        int8_t *row = p->scratch + (int32_t)p->k_h * wp * cc;
        dw_out_row_3x3_sat(&l, p->scratch, p->out_w, row);
        for (int ox = 0; ox < p->out_w; ++ox) {
          for (int k = 0; k < oc; ++k) o[ox * oc + k] = row[ox * cc + k];
        }
      }
      if (clamp) dw_clamp(o, out_row, p->act_min, p->act_max);
    } else if (mode == TM_DSP_RQ_FAST_SAT) {
      dw_out_row(&l, p->scratch, p->out_w, o, TM_DSP_RQ_FAST_SAT);
    } else if (mode == TM_DSP_RQ_FAST) {
      dw_out_row(&l, p->scratch, p->out_w, o, TM_DSP_RQ_FAST);
    } else {
      dw_out_row(&l, p->scratch, p->out_w, o, TM_DSP_RQ_CHECKED);
    }
  }
}
