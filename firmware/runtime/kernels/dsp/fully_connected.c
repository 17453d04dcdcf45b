// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED for Cortex-M with the DSP extension: four output neurons
// per pass. Each input word is widened once (SXTB16 even and odd lanes) and
// feeds the four rows, whose weights the generator interleaved in groups of
// four (row-quad layout, reference/weight_layout.h) so one LDM loads them.
// Per 16 MACs: LDR, LDM, 10 SXTB16, 8 SMLAD.
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/fully_connected.h"

#include <stddef.h>

#include "kernels/dsp/dsp_common.h"
#include "reference/weight_layout.h"

// Four inputs (r0) times the four rows' words (r2..r5).
#define FC_ASM_GROUP                  \
  "ldr r0, [%[x]], #4\n\t"            \
  "ldmia %[w]!, {r2, r3, r4, r5}\n\t" \
  "sxtb16 r1, r0\n\t"                 \
  "sxtb16 r0, r0, ror #8\n\t"         \
  "sxtb16 r6, r2\n\t"                 \
  "sxtb16 r2, r2, ror #8\n\t"         \
  "smlad %[a0], r1, r6, %[a0]\n\t"    \
  "smlad %[a0], r0, r2, %[a0]\n\t"    \
  "sxtb16 r6, r3\n\t"                 \
  "sxtb16 r3, r3, ror #8\n\t"         \
  "smlad %[a1], r1, r6, %[a1]\n\t"    \
  "smlad %[a1], r0, r3, %[a1]\n\t"    \
  "sxtb16 r6, r4\n\t"                 \
  "sxtb16 r4, r4, ror #8\n\t"         \
  "smlad %[a2], r1, r6, %[a2]\n\t"    \
  "smlad %[a2], r0, r4, %[a2]\n\t"    \
  "sxtb16 r6, r5\n\t"                 \
  "sxtb16 r5, r5, ror #8\n\t"         \
  "smlad %[a3], r1, r6, %[a3]\n\t"    \
  "smlad %[a3], r0, r5, %[a3]\n\t"

// For n quads of rows (weights w, 4-byte aligned for LDM, quad after quad
// with `skip` bytes of partial words between;
// biases bias[4j .. 4j+3]): acc[4j + l] = bias + dot(x[0 .. 4 * groups),
// row l of quad j); groups >= 1. Groups unrolled by two, an odd count
// entering at the second copy; x may be unaligned (LDR allows it). All in
// assembly: the group loop needs 14 registers, so the quad loop keeps its
// state in a struct whose address waits on the stack (PUSH/POP).
static __attribute__((noinline)) void fc_dot_quads(const int8_t *x, const int8_t *w, int groups, int skip,
                                                   const int32_t *bias, int32_t *acc, int n) {
  struct {
    const int8_t *x, *w, *end;
    const int32_t *bias;
    int32_t *acc;
    int n;
    int skip;  // bytes from the end of one quad's words to the next quad: its partial word
  } st = {x, w, x + 4 * groups, bias, acc, n, skip};
  _Static_assert(offsetof(__typeof__(st), x) == 0 && offsetof(__typeof__(st), w) == 4 &&
                     offsetof(__typeof__(st), end) == 8 && offsetof(__typeof__(st), bias) == 12 &&
                     offsetof(__typeof__(st), acc) == 16 && offsetof(__typeof__(st), n) == 20 &&
                     offsetof(__typeof__(st), skip) == 24,
                 "the assembly below reads st at these offsets");
  register void *st_r __asm__("r0") = &st;
  int32_t a0, a1, a2, a3;
  const int8_t *xi, *wi, *xe;
  // Bound: in_depth products of |x*w| <= 2^14 plus the bias; in_depth < 2^16 keeps every sum in int32.
  __asm__ volatile(
      "push {r0}\n\t"
      "ldr %[w], [r0, #4]\n\t"
      "ldr %[end], [r0, #8]\n\t"
      "2:\n\t"
      "ldr r0, [sp]\n\t"
      "ldr %[x], [r0, #0]\n\t"
      "ldr r1, [r0, #12]\n\t"
      "ldrd %[a0], %[a1], [r1]\n\t"
      "ldrd %[a2], %[a3], [r1, #8]\n\t"
      "add r1, r1, #16\n\t"
      "str r1, [r0, #12]\n\t"
      "sub r0, %[end], %[x]\n\t"
      "tst r0, #4\n\t"
      "bne 4f\n\t"
      "1:\n\t" FC_ASM_GROUP
      "4:\n\t" FC_ASM_GROUP
      "cmp %[x], %[end]\n\t"
      "bne 1b\n\t"
      "ldr r0, [sp]\n\t"
      "ldr r1, [r0, #24]\n\t"
      "add %[w], %[w], r1\n\t"
      "ldr r1, [r0, #16]\n\t"
      "strd %[a0], %[a1], [r1]\n\t"
      "strd %[a2], %[a3], [r1, #8]\n\t"
      "add r1, r1, #16\n\t"
      "str r1, [r0, #16]\n\t"
      "ldr r1, [r0, #20]\n\t"
      "subs r1, r1, #1\n\t"
      "str r1, [r0, #20]\n\t"
      "bne 2b\n\t"
      "pop {r0}"
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(xi), [w] "=&r"(wi),
        [end] "=&r"(xe), "+r"(st_r)
      :
      : "r1", "r2", "r3", "r4", "r5", "r6", "cc", "memory");
}

// Quads of rows per fc_dot_quads call (the accumulators live on the stack).
#define FC_CHUNK 16

// out[c] for the n accumulators of rows c = 0 .. n-1 (parameters offset to row 0).
static void fc_store(const tm_fully_connected_params_t *p, int row, const int32_t *acc, int n, int8_t *out) {
  const int32_t *mult = p->mult + row, *shift = p->shift + row;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  out += row;
  if (p->round) {
    const int32_t *round = p->round + row;
    if (lo == -128 && hi == 127) {
      for (int i = 0; i < n; ++i) out[i] = tm_dsp_requantize_round(acc[i], mult[i], round[i], -shift[i], 0, lo, hi);
    } else {
      for (int i = 0; i < n; ++i) out[i] = tm_dsp_requantize_round(acc[i], mult[i], round[i], -shift[i], 1, lo, hi);
    }
  } else {
    for (int i = 0; i < n; ++i) out[i] = tm_dsp_requantize(acc[i], mult[i], shift[i], zp, lo, hi);
  }
}

// Rows 4q .. 4q + 4 * count - 1 of one input row; the first `valid` are stored.
static void fc_block(const tm_fully_connected_params_t *p, const int8_t *in, int q, int count, const int32_t *bias,
                     int valid, int8_t *out) {
  const int n = p->in_depth, kp = tm_ref_padded_row(n), groups = n >> 2;
  const int8_t *w = p->weights + (int32_t)q * 4 * kp;
  int32_t acc[4 * FC_CHUNK];
  if (groups) {
    fc_dot_quads(in, w, groups, 4 * kp - 16 * groups, bias, acc, count);
  } else {
    for (int i = 0; i < 4 * count; ++i) acc[i] = bias[i];
  }
  if (n & 3) {  // the last partial word of each row; its padding weights are zero
    for (int j = 0; j < count; ++j) {
      const int8_t *wq = w + (int32_t)j * 4 * kp + groups * 16;
      for (int i = 4 * groups; i < n; ++i) {
        for (int l = 0; l < 4; ++l) acc[4 * j + l] += in[i] * wq[l * 4 + (i & 3)];
      }
    }
  }
  fc_store(p, 4 * q, acc, valid, out);
}

void tm_fully_connected_eval(const tm_fully_connected_params_t *p, const int8_t *in, int8_t *out) {
  const int rows = p->out_depth, full = rows >> 2;
  for (int b = 0; b < p->batches; ++b, in += p->in_depth, out += rows) {
    for (int q = 0; q < full; q += FC_CHUNK) {
      const int count = full - q < FC_CHUNK ? full - q : FC_CHUNK;
      fc_block(p, in, q, count, p->bias + 4 * q, 4 * count, out);
    }
    if (rows & 3) {  // the partial last quad (zero weight rows): its bias padded with zeros
      int32_t bias[4] = {0, 0, 0, 0};
      for (int l = 0; l < (rows & 3); ++l) bias[l] = p->bias[4 * full + l];
      fc_block(p, in, full, 1, bias, rows & 3, out);
    }
  }
}
