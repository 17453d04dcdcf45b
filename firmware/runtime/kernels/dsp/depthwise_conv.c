// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D for Cortex-M with the DSP extension. With depth
// multiplier 1 and channels in multiples of 4: for each output row the k_h
// input rows it reads are copied into scratch with zero-point padding, so
// the inner loops have no bounds checks; four channels per word (SXTB16
// splits them into lanes, SMLABB/SMLATT accumulate each lane), weights
// stored per channel quad so they stream in order, 3x3 windows unrolled
// in assembly. Other depth multipliers and channel counts gather each
// output channel's input value (channels padded to a multiple of 4) and
// use the same loops.
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/depthwise_conv.h"

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

// 3x3 windows with dense columns, one channel quad at a time over the whole
// layer: the three input rows of an output row are gathered per column as
// six words, {P0, P1, P2, P3, E, O}: Pc = (row 0, row 1) of channel c as an
// int16 pair, so one SMLAD does two taps, and E / O the even / odd lanes of
// row 2 (SMLABB/SMLATT). The quad's weights are widened the same way once.

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

// The six words of one column from the channel-quad words of rows 0, 1, 2.
static inline void dw_pair_column(uint32_t u0, uint32_t u1, uint32_t u2, uint32_t *dst) {
  const uint32_t e0 = (uint32_t)tm_dsp_even(u0), e1 = (uint32_t)tm_dsp_even(u1);
  const uint32_t o0 = (uint32_t)tm_dsp_odd(u0), o1 = (uint32_t)tm_dsp_odd(u1);
  dst[0] = dw_pkhbt(e0, e1);
  dst[1] = dw_pkhbt(o0, o1);
  dst[2] = dw_pkhtb(e1, e0);
  dst[3] = dw_pkhtb(o1, o0);
  dst[4] = (uint32_t)tm_dsp_even(u2);
  dst[5] = (uint32_t)tm_dsp_odd(u2);
}

// n columns, all three rows inside: row 0 at x (advancing by step), rows 1
// and 2 at byte offsets d1 and d2 from it; dw_pair_column in assembly.
static __attribute__((noinline)) void dw_pair_columns(const int8_t *x, int32_t d1, int32_t d2, int step,
                                                      uint32_t *dst, int n) {
  const uint32_t *end = dst + 6 * n;
  __asm__ volatile(
      "1:\n\t"
      "ldr r1, [%[x]]\n\t"
      "ldr r2, [%[x], %[d1]]\n\t"
      "ldr r3, [%[x], %[d2]]\n\t"
      "add %[x], %[x], %[step]\n\t"
      "sxtb16 r4, r1\n\t"
      "sxtb16 r1, r1, ror #8\n\t"
      "sxtb16 r5, r2\n\t"
      "sxtb16 r2, r2, ror #8\n\t"
      "pkhbt r6, r4, r5, lsl #16\n\t"
      "pkhtb r5, r5, r4, asr #16\n\t"
      "pkhbt r4, r1, r2, lsl #16\n\t"
      "pkhtb r2, r2, r1, asr #16\n\t"
      "strd r6, r4, [%[d]]\n\t"
      "strd r5, r2, [%[d], #8]\n\t"
      "sxtb16 r1, r3\n\t"
      "sxtb16 r3, r3, ror #8\n\t"
      "strd r1, r3, [%[d], #16]\n\t"
      "add %[d], %[d], #24\n\t"
      "cmp %[d], %[end]\n\t"
      "bne 1b"
      : [x] "+r"(x), [d] "+r"(dst)
      : [d1] "r"(d1), [d2] "r"(d2), [step] "r"(step), [end] "r"(end)
      : "r1", "r2", "r3", "r4", "r5", "r6", "cc", "memory");
}

// Every column of scratch as a padded one (all zero points); the padded
// columns left and right of the image never change after this.
static void dw_fill_pairs(int32_t in_zp, int wp, uint32_t *dst) {
  const int8_t zp[4] = {(int8_t)in_zp, (int8_t)in_zp, (int8_t)in_zp, (int8_t)in_zp};
  const uint32_t zw = tm_dsp_load4(zp);
  for (int j = 0; j < wp; ++j, dst += 6) dw_pair_column(zw, zw, zw, dst);
}

// The image columns (after pad_left padded ones) of output row oy for the
// channel quad at c, paired; the padded columns are already in place.
static __attribute__((noinline)) void dw_gather_pairs(const tm_depthwise_conv_params_t *p, const int8_t *in, int oy,
                                                      int c, int wp, uint32_t *dst) {
  const int cc = p->in_c;
  const int8_t zp[4] = {(int8_t)p->in_zp, (int8_t)p->in_zp, (int8_t)p->in_zp, (int8_t)p->in_zp};
  const int8_t *row[3];
  int step[3];
  for (int ky = 0; ky < 3; ++ky) {  // a padded row reads the zero point word with step 0
    const int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    const int inside = iy >= 0 && iy < p->in_h;
    row[ky] = inside ? in + (int32_t)iy * p->in_w * cc + c : zp;
    step[ky] = inside ? cc : 0;
  }
  const int lead = p->pad_left < wp ? p->pad_left : wp;
  const int body = p->in_w < wp - lead ? p->in_w : wp - lead;
  if (body <= 0) return;
  const int8_t *r0 = row[0], *r1 = row[1], *r2 = row[2];
  const int s0 = step[0], s1 = step[1], s2 = step[2];
  dst += 6 * lead;
  if (s0 && s1 && s2) {  // all three rows inside: one pointer, the rows at fixed offsets
    dw_pair_columns(r0, (int32_t)(r1 - r0), (int32_t)(r2 - r0), s0, dst, body);
    return;
  }
  for (int k = 0; k < body; ++k, dst += 6, r0 += s0, r1 += s1, r2 += s2) {
    dw_pair_column(tm_dsp_load4(r0), tm_dsp_load4(r1), tm_dsp_load4(r2), dst);
  }
}

// Per-quad constants of dw_pairs_row, in this order in an int32 table.
enum { DW_P_MULT = 0, DW_P_ROUND = 4, DW_P_SHIFT = 8, DW_P_BIAS = 12, DW_P_XADV = 16, DW_P_OADV = 17,
       DW_P_COUNT = 18, DW_P_OUT = 19, DW_P_X = 20, DW_P_W = 21, DW_P_SIZE = 22 };

// One kernel column: LDM the pair words of x (r7-r10) and w (r0, r11, r12,
// lr), 4 SMLAD; LDRD row 2's lanes of x (r7, r8) and w (r0, r11), SMLABB/SMLATT.
#define DW_PAIRS_ASM_COLUMN              \
  "ldmia r1!, {r7, r8, r9, r10}\n\t"     \
  "ldmia r2!, {r0, r11, r12, lr}\n\t"    \
  "smlad r3, r7, r0, r3\n\t"             \
  "smlad r4, r8, r11, r4\n\t"            \
  "smlad r5, r9, r12, r5\n\t"            \
  "smlad r6, r10, lr, r6\n\t"            \
  "ldrd r7, r8, [r1], #8\n\t"            \
  "ldrd r0, r11, [r2], #8\n\t"           \
  "smlabb r3, r7, r0, r3\n\t"            \
  "smlatt r5, r7, r0, r5\n\t"            \
  "smlabb r4, r8, r11, r4\n\t"           \
  "smlatt r6, r8, r11, r6\n\t"

// Lane k of the doubled accumulator a requantized (as DW_ASM_OUT, the
// doubling done by the weights and bias) and stored at r12 + k.
#define DW_PAIRS_ASM_OUT(a, k)              \
  "ldr r7, [r0, #" #k "*4]\n\t"             \
  "smmulr " a ", " a ", r7\n\t"             \
  "ldr r7, [r0, #(16+" #k "*4)]\n\t"        \
  "add r8, " a ", r7\n\t"                   \
  "sub r8, r8, " a ", lsr #31\n\t"          \
  "ldr r7, [r0, #(32+" #k "*4)]\n\t"        \
  "asr r8, r8, r7\n\t"                      \
  "ssat r8, #8, r8\n\t"                     \
  "strb r8, [r12, #" #k "]\n\t"

// t[DW_P_COUNT] output pixels of one channel quad: x = t[DW_P_X] (the paired
// columns of the first window, advanced by t[DW_P_XADV] after each pixel's
// three), w = t[DW_P_W] (18 widened weight words), output at t[DW_P_OUT]
// (advanced by t[DW_P_OADV]). Exact under the conditions of
// dw_quad_row_sat. All 14 registers: the table address waits on the stack.
static __attribute__((noinline)) void dw_pairs_row(int32_t *t) {
  register int32_t *t_r __asm__("r0") = t;
  // Bound: 9 taps of |x*w| <= 2^14 plus the bias.
  __asm__ volatile(
      "push {r0}\n\t"
      "ldr r1, [r0, #80]\n\t"
      "ldr r2, [r0, #84]\n\t"
      "3:\n\t"
      "ldrd r3, r4, [r0, #48]\n\t"
      "ldrd r5, r6, [r0, #56]\n\t"
      DW_PAIRS_ASM_COLUMN DW_PAIRS_ASM_COLUMN DW_PAIRS_ASM_COLUMN
      "ldr r0, [sp]\n\t"
      "ldr r7, [r0, #64]\n\t"
      "add r1, r1, r7\n\t"
      "sub r2, r2, #72\n\t"
      "ldr r12, [r0, #76]\n\t"
      DW_PAIRS_ASM_OUT("r3", 0) DW_PAIRS_ASM_OUT("r4", 1) DW_PAIRS_ASM_OUT("r5", 2) DW_PAIRS_ASM_OUT("r6", 3)
      "ldr r7, [r0, #68]\n\t"
      "add r12, r12, r7\n\t"
      "str r12, [r0, #76]\n\t"
      "ldr r7, [r0, #72]\n\t"
      "subs r7, r7, #1\n\t"
      "str r7, [r0, #72]\n\t"
      "bne 3b\n\t"
      "pop {r0}"
      : "+r"(t_r)
      :
      : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
}

// Two int16 lanes (lo, hi) in one word.
static inline uint32_t dw_pair16(int32_t lo, int32_t hi) { return (uint16_t)lo | ((uint32_t)(uint16_t)hi << 16); }

// The whole layer, quad by quad (3x3, dil_w 1, shifts in [-22, -1], no
// clamp, |acc| < 2^30 as tm_dsp_fast_ok checks): scratch holds wp paired
// columns (24 * wp bytes). Weights and biases are doubled (2w fits an int16
// lane), so the accumulator is the 2 * acc that SMMULR needs.
static void dw_pairs_layer(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out, int wp) {
  const int cc = p->in_c;
  int32_t t[DW_P_SIZE];
  uint32_t wide[18];
  uint32_t *cols = (uint32_t *)(void *)p->scratch;  // the planner aligns buffers to 4 bytes
  t[DW_P_XADV] = 24 * p->stride_w - 72;
  t[DW_P_OADV] = cc;
  dw_fill_pairs(p->in_zp, wp, cols);
  for (int c = 0; c < cc; c += 4) {
    for (int k = 0; k < 4; ++k) {
      const int right = -p->shift[c + k];
      t[DW_P_MULT + k] = p->mult[c + k];
      t[DW_P_ROUND + k] = (int32_t)(1u << (right - 1)) + (int32_t)((uint32_t)p->out_zp << right);
      t[DW_P_SHIFT + k] = right;
      t[DW_P_BIAS + k] = 2 * p->bias[c + k];
    }
    const int8_t *wq = p->weights + c * 9;  // [ky][kx][4]
    for (int kx = 0; kx < 3; ++kx) {
      const int8_t *w0 = wq + 4 * kx, *w1 = wq + 12 + 4 * kx, *w2 = wq + 24 + 4 * kx;
      uint32_t *d = wide + 6 * kx;
      for (int k = 0; k < 4; ++k) d[k] = dw_pair16(2 * w0[k], 2 * w1[k]);
      d[4] = dw_pair16(2 * w2[0], 2 * w2[2]);
      d[5] = dw_pair16(2 * w2[1], 2 * w2[3]);
    }
    for (int oy = 0; oy < p->out_h; ++oy) {
      dw_gather_pairs(p, in, oy, c, wp, cols);
      t[DW_P_COUNT] = p->out_w;
      t[DW_P_OUT] = (int32_t)(intptr_t)(out + (int32_t)oy * p->out_w * cc + c);
      t[DW_P_X] = (int32_t)(intptr_t)cols;
      t[DW_P_W] = (int32_t)(intptr_t)wide;
      dw_pairs_row(t);
    }
  }
}

// True when dw_pairs_layer may run quad by quad over the layer: the output
// does not overlap the input, or it is the in-place plan (output below the
// input by the planner's lag, which keeps pixel-order writes behind the
// reads) shifted by whole pixels, so a quad's writes only land on the same
// quad of input pixels already read.
static int dw_quad_order_safe(const tm_depthwise_conv_params_t *p, const int8_t *in, const int8_t *out) {
  const int32_t in_bytes = (int32_t)p->in_h * p->in_w * p->in_c, out_bytes = (int32_t)p->out_h * p->out_w * p->out_c;
  if (out + out_bytes <= in || in + in_bytes <= out) return 1;
  return out <= in && (in - out) % p->in_c == 0;
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
  if (dense && mode != TM_DSP_RQ_CHECKED && p->k_h == 3 && p->k_w == 3 && p->dil_w == 1 && small &&
      dw_quad_order_safe(p, in, out)) {
    dw_pairs_layer(p, in, out, wp);
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
