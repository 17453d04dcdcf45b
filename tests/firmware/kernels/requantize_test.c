// SPDX-License-Identifier: Apache-2.0
// The DSP requantization (SMMULR fast path + 64-bit fallback, and the
// unchecked variant) against the reference fixed-point requantization: edge
// values and a million pseudo-random (x, multiplier, shift) triples each. Prints "requantize ok N" or
// the first mismatch; exit status 0 on success.
#include <stdio.h>

#include "kernels/dsp/dsp_common.h"
#include "reference/fixedpoint.h"
#include "reference/requantize.h"

static uint32_t test_state = 2463534242u;

static uint32_t test_next(void) {  // xorshift32
  test_state ^= test_state << 13;
  test_state ^= test_state >> 17;
  test_state ^= test_state << 5;
  return test_state;
}

static int test_one(int32_t x, int32_t mult, int32_t shift) {
  const int32_t want = tm_fp_requantize(x, mult, shift);
  const int32_t got = tm_dsp_scale(x, mult, shift);
  if (got != want) {
    printf("requantize mismatch x=%ld mult=%ld shift=%ld got %ld want %ld\n", (long)x, (long)mult, (long)shift,
           (long)got, (long)want);
    return 1;
  }
  return 0;
}

int main(void) {
  static const int32_t edges[] = {0, 1, -1, 2, -2, 255, -256, (1 << 30) - 1, -(1 << 30), 1 << 30, -(1 << 30) - 1,
                                  INT32_MAX, INT32_MIN, 12345678, -12345678};
  long n = 0;
  for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; ++i) {
    for (int32_t shift = -31; shift <= 6; ++shift) {
      const int32_t mults[] = {1 << 30, INT32_MAX, 1518500250, 1 << 30 | 1};
      for (int m = 0; m < 4; ++m, ++n) {
        // Left shifts must not overflow x << shift in the reference either.
        if (shift > 0 && (edges[i] > (INT32_MAX >> shift) || edges[i] < (INT32_MIN >> shift))) continue;
        if (test_one(edges[i], mults[m], shift)) return 1;
      }
    }
  }
  for (long i = 0; i < 1000000; ++i, ++n) {
    const uint32_t r = test_next();
    const int32_t shift = -(int32_t)(test_next() % 32u) + (int32_t)(r & 1u);  // -31..1
    int32_t x = (int32_t)test_next() >> (test_next() % 31u);
    if (shift > 0) x >>= shift;
    const int32_t mult = (int32_t)((1u << 30) | (test_next() >> 2));
    if (test_one(x, mult, shift)) return 1;
  }
  // The unchecked path, inside its preconditions (|x| < 2^30, right shifts).
  for (long i = 0; i < 1000000; ++i, ++n) {
    const int32_t x = (int32_t)test_next() >> (2 + test_next() % 30u);
    const int32_t shift = -1 - (int32_t)(test_next() % 31u);
    const int32_t mult = (int32_t)((1u << 30) | (test_next() >> 2));
    const int32_t zp = (int32_t)(test_next() % 256u) - 128;
    const int8_t want = tm_ref_requantize(x, mult, shift, zp, -128, 127);
    const int8_t got = tm_dsp_requantize_fast(x, mult, shift, zp, -128, 127);
    const int8_t got_sat = tm_dsp_requantize_fast_sat(x, mult, shift, zp);
    if (got != want || got_sat != want) {
      printf("fast requantize mismatch x=%ld mult=%ld shift=%ld got %d want %d\n", (long)x, (long)mult, (long)shift,
             got, want);
      return 1;
    }
  }
  printf("requantize ok %ld\n", n);
  return 0;
}
