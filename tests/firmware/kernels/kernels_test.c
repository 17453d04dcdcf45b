// SPDX-License-Identifier: Apache-2.0
// The linked kernels (portable or DSP twins) against the header-only
// reference math, on random shapes, strides, dilations, paddings,
// activations and quantization: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED.
// Convolutions run again within exactly the scratch their twin's *_sizes.c
// asks for (canary bytes after it must survive) and in place, the output
// starting the twin's lag below the input, rounded up as the planner does.
// Weights are random in the generation-time layouts. Prints "kernels ok N"
// or the first mismatch; exit status 0 on success.
#include <stdio.h>
#include <string.h>

#include "kernels/conv.h"
#include "kernels/depthwise_conv.h"
#include "kernels/elementwise.h"
#include "kernels/fully_connected.h"
#include "reference/conv.h"
#include "reference/depthwise_conv.h"
#include "reference/elementwise.h"
#include "reference/fully_connected.h"

#define TEST_BUF 8192
#define TEST_CANARY 64

static uint32_t test_state = 88172645u;
// Aligned like the generated constant arrays (the kernels load weights with LDM).
static int8_t in_buf[TEST_BUF], w_buf[TEST_BUF] __attribute__((aligned(16))), scratch[TEST_BUF] __attribute__((aligned(16)));
static int8_t out_ref[TEST_BUF], out_got[TEST_BUF];
static int8_t arena[2 * TEST_BUF] __attribute__((aligned(16)));
static int32_t bias[64], mult[64], shift[64], round_c[64], rq[3 * 64];

static uint32_t test_next(void) {  // xorshift32
  test_state ^= test_state << 13;
  test_state ^= test_state >> 17;
  test_state ^= test_state << 5;
  return test_state;
}

static int test_range(int lo, int hi) { return lo + (int)(test_next() % (uint32_t)(hi - lo + 1)); }

static void test_fill(int8_t *p, int n) {
  for (int i = 0; i < n; ++i) p[i] = (int8_t)test_next();
}

// Per-channel requantization and activation clamp.
static void test_quant(int n, int32_t *lo, int32_t *hi) {
  for (int i = 0; i < n; ++i) {
    bias[i] = test_range(-20000, 20000);
    mult[i] = (int32_t)((1u << 30) | (test_next() >> 2));
    shift[i] = test_range(-12, test_range(0, 5) == 0 ? 1 : -1);
  }
  *lo = test_range(-128, 0);
  *hi = test_range(*lo, 127);
  if (test_range(0, 2) == 0) *lo = -128, *hi = 127;  // no fused activation: the kernels' SSAT paths
}

static int test_compare(const char *op, int trial, int n) {
  for (int i = 0; i < n; ++i) {
    if (out_ref[i] != out_got[i]) {
      printf("%s trial %d: element %d got %d want %d\n", op, trial, i, out_got[i], out_ref[i]);
      return 1;
    }
  }
  return 0;
}

// Scratch of exactly `bytes` (0: none), canary bytes after it.
static int8_t *test_scratch(size_t bytes) {
  memset(scratch + bytes, 0x5a, TEST_CANARY);
  return bytes ? scratch : 0;
}

static int test_canary(const char *op, int trial, size_t bytes) {
  for (int i = 0; i < TEST_CANARY; ++i) {
    if (scratch[bytes + (size_t)i] != 0x5a) {
      printf("%s trial %d: wrote past its %d scratch bytes\n", op, trial, (int)bytes);
      return 1;
    }
  }
  return 0;
}

// Where the output starts in place: `lag` bytes below the input, rounded up
// to a multiple of `unit` and of the planner's 4-byte alignment.
static int8_t *test_inplace(int n_in, int32_t lag, int32_t unit) {
  int32_t step = unit;
  while (step % 4) step += unit;
  const int32_t d = (lag >= 0 ? (lag + step - 1) / step : lag / step) * step;
  int8_t *in = arena + TEST_BUF;
  memcpy(in, in_buf, (size_t)n_in);
  return in - d;
}

static int test_out(const char *op, int trial, const int8_t *got, int n) {
  memcpy(out_got, got, (size_t)n);
  return test_compare(op, trial, n);
}

static int test_conv_sizes(tm_conv_params_t *p, int trial) {
  const int n_in = p->in_h * p->in_w * p->in_c, n_out = p->out_h * p->out_w * p->out_c;
  const size_t bytes = tm_conv_scratch_bytes(p->k_h, p->k_w, p->in_c, p->rq != 0);
  p->scratch = test_scratch(bytes);
  tm_conv_eval(p, in_buf, out_got);
  if (test_compare("conv (own scratch)", trial, n_out) || test_canary("conv", trial, bytes)) return 1;
  int32_t lag, unit;
  if (!tm_conv_inplace_lag(p->in_h, p->in_w, p->in_c, p->out_h, p->out_w, p->out_c, p->stride_h, p->stride_w,
                           p->pad_top, p->pad_left, &lag, &unit)) {
    return 0;
  }
  int8_t *out = test_inplace(n_in, lag, unit);
  tm_conv_eval(p, arena + TEST_BUF, out);
  return test_out("conv (in place)", trial, out, n_out);
}

static int test_depthwise_sizes(tm_depthwise_conv_params_t *p, int trial) {
  const int n_in = p->in_h * p->in_w * p->in_c, n_out = p->out_h * p->out_w * p->out_c;
  const size_t bytes =
      tm_depthwise_conv_scratch_bytes(p->in_c, p->out_w, p->out_c, p->k_h, p->k_w, p->stride_w, p->dil_h, p->dil_w);
  p->scratch = test_scratch(bytes);
  tm_depthwise_conv_eval(p, in_buf, out_got);
  if (test_compare("depthwise (own scratch)", trial, n_out) || test_canary("depthwise", trial, bytes)) return 1;
  int32_t lag, unit;
  if (!tm_depthwise_conv_inplace_lag(p->in_h, p->in_w, p->in_c, p->out_h, p->out_w, p->out_c, p->k_h, p->k_w,
                                     p->stride_h, p->stride_w, p->dil_h, p->dil_w, p->pad_top, p->pad_left, &lag,
                                     &unit)) {
    return 0;
  }
  int8_t *out = test_inplace(n_in, lag, unit);
  tm_depthwise_conv_eval(p, arena + TEST_BUF, out);
  return test_out("depthwise (in place)", trial, out, n_out);
}

static int test_conv(int trial) {
  tm_conv_params_t p;
  memset(&p, 0, sizeof p);
  p.in_h = (int16_t)test_range(1, 9), p.in_w = (int16_t)test_range(1, 9), p.in_c = (int16_t)test_range(1, 9);
  if (test_range(0, 2) == 0) p.in_c = 16;
  if (test_range(0, 5) == 0) p.in_c = 32;  // kp above TM_CONV_TILE_MAX_KP for 4x4 filters: two-pixel tiles
  p.out_c = (int16_t)test_range(1, 9), p.k_h = (int16_t)test_range(1, 4), p.k_w = (int16_t)test_range(1, 4);
  p.stride_h = (int16_t)test_range(1, 3), p.stride_w = (int16_t)test_range(1, 3);
  p.dil_h = (int16_t)test_range(1, 2), p.dil_w = (int16_t)test_range(1, 2);
  p.pad_top = (int16_t)test_range(0, p.k_h - 1), p.pad_left = (int16_t)test_range(0, p.k_w - 1);
  const int eh = (p.k_h - 1) * p.dil_h + 1, ew = (p.k_w - 1) * p.dil_w + 1;
  p.out_h = (int16_t)((p.in_h + 2 * p.pad_top - eh) / p.stride_h + 1);
  p.out_w = (int16_t)((p.in_w + 2 * p.pad_left - ew) / p.stride_w + 1);
  if (p.in_h + 2 * p.pad_top < eh || p.in_w + 2 * p.pad_left < ew) return 0;
  const int k = p.k_h * p.k_w * p.in_c, kp = tm_ref_padded_row(k);
  memset(w_buf, 0, sizeof w_buf);
  for (int oc = 0; oc < p.out_c; ++oc) {
    for (int i = 0; i < k; ++i) w_buf[(oc >> 1) * 2 * kp + (i >> 2) * 8 + (oc & 1) * 4 + (i & 3)] = (int8_t)test_next();
  }
  test_fill(in_buf, p.in_h * p.in_w * p.in_c);
  test_quant(p.out_c, &p.act_min, &p.act_max);
  p.in_zp = test_range(-128, 127), p.out_zp = test_range(-128, 127);
  p.weights = w_buf, p.bias = bias, p.mult = mult, p.shift = shift, p.scratch = scratch;
  int right_shifts = 1;  // the requantization table, as the generator makes it (quant.conv_requant_table)
  for (int oc = 0; oc < p.out_c; ++oc) {
    const int r = -shift[oc];
    right_shifts &= r >= 1 && r <= 22;
    if (right_shifts) {
      rq[3 * oc] = (int32_t)(2u * (uint32_t)mult[oc]), rq[3 * oc + 1] = (1 << (r - 1)) + p.out_zp * (1 << r);
      rq[3 * oc + 2] = r;
    }
  }
  p.rq = right_shifts ? rq : 0;
  tm_ref_conv(&p, in_buf, out_ref);
  tm_conv_eval(&p, in_buf, out_got);
  return test_compare("conv", trial, p.out_h * p.out_w * p.out_c) || test_conv_sizes(&p, trial);
}

static int test_depthwise(int trial) {
  tm_depthwise_conv_params_t p;
  memset(&p, 0, sizeof p);
  p.in_h = (int16_t)test_range(1, 9), p.in_w = (int16_t)test_range(1, 9);
  p.in_c = (int16_t)(test_range(0, 1) ? 4 * test_range(1, 4) : test_range(1, 6));
  p.depth_mult = (int16_t)(test_range(0, 2) ? 1 : test_range(2, 3));
  p.k_h = (int16_t)test_range(1, 4), p.k_w = (int16_t)test_range(1, 4);
  if (test_range(0, 2) == 0) p.k_h = p.k_w = 3;  // the unrolled 3x3 paths
  const int paired = test_range(0, 3) == 0;  // the DSP paired-rows path: 3x3, dense columns
  if (paired) p.k_h = p.k_w = 3, p.depth_mult = 1;
  p.out_c = (int16_t)(p.in_c * p.depth_mult);
  p.stride_h = (int16_t)test_range(1, 3), p.stride_w = (int16_t)test_range(1, 3);
  p.dil_h = (int16_t)test_range(1, 2), p.dil_w = (int16_t)(paired ? 1 : test_range(1, 2));
  p.pad_top = (int16_t)test_range(0, p.k_h - 1), p.pad_left = (int16_t)test_range(0, p.k_w - 1);
  const int eh = (p.k_h - 1) * p.dil_h + 1, ew = (p.k_w - 1) * p.dil_w + 1;
  if (p.in_h + 2 * p.pad_top < eh || p.in_w + 2 * p.pad_left < ew) return 0;
  p.out_h = (int16_t)((p.in_h + 2 * p.pad_top - eh) / p.stride_h + 1);
  p.out_w = (int16_t)((p.in_w + 2 * p.pad_left - ew) / p.stride_w + 1);
  test_fill(w_buf, ((p.out_c + 3) & ~3) * p.k_h * p.k_w);
  test_fill(in_buf, p.in_h * p.in_w * p.in_c);
  test_quant(p.out_c, &p.act_min, &p.act_max);
  p.in_zp = test_range(-128, 127), p.out_zp = test_range(-128, 127);
  p.weights = w_buf, p.bias = bias, p.mult = mult, p.shift = shift;
  p.scratch = test_range(0, 5) ? scratch : 0;  // as the generator plans it (0: hand-made params)
  tm_ref_depthwise_conv(&p, in_buf, out_ref);
  tm_depthwise_conv_eval(&p, in_buf, out_got);
  return test_compare("depthwise", trial, p.out_h * p.out_w * p.out_c) || test_depthwise_sizes(&p, trial);
}

static int test_fully_connected(int trial) {
  tm_fully_connected_params_t p;
  memset(&p, 0, sizeof p);
  p.batches = (int16_t)test_range(1, 3), p.in_depth = (int16_t)test_range(1, 140);
  p.out_depth = (int16_t)test_range(1, 20);
  const int kp = tm_ref_padded_row(p.in_depth);
  memset(w_buf, 0, sizeof w_buf);
  for (int o = 0; o < p.out_depth; ++o) {
    for (int i = 0; i < p.in_depth; ++i) w_buf[(o >> 2) * 4 * kp + (i >> 2) * 16 + (o & 3) * 4 + (i & 3)] = (int8_t)test_next();
  }
  const int offset = test_range(0, 3);  // the input may sit at any alignment
  test_fill(in_buf + offset, p.batches * p.in_depth);
  test_quant(p.out_depth, &p.act_min, &p.act_max);
  p.out_zp = test_range(-128, 127);
  p.weights = w_buf, p.bias = bias, p.mult = mult, p.shift = shift;
  int fast = 1;  // the folded rounding constants, when the generator would emit them
  for (int o = 0; o < p.out_depth; ++o) {
    fast &= shift[o] <= -1 && shift[o] >= -22 && (bias[o] < 0 ? -bias[o] : bias[o]) + p.in_depth * (1 << 14) < (1 << 30);
    if (fast) round_c[o] = (1 << (-shift[o] - 1)) + p.out_zp * (1 << -shift[o]);
  }
  p.round = fast ? round_c : 0;
  tm_ref_fully_connected(&p, in_buf + offset, out_ref);
  tm_fully_connected_eval(&p, in_buf + offset, out_got);
  return test_compare("fully_connected", trial, p.batches * p.out_depth);
}

// Same-shape ADD with the multipliers the generator makes: the input with
// the larger scale rescales by exactly 1/2 (2^30, shift 0), the other by a
// multiplier in [2^30, 2^31) and a right shift.
static int test_add(int trial) {
  tm_elementwise_params_t p;
  memset(&p, 0, sizeof p);
  p.count = TEST_BUF / 2, p.contiguous = 1, p.left_shift = 20;
  const int32_t half_mult = 1 << 30, other_mult = (int32_t)((1u << 30) | (test_next() >> 2));
  const int32_t other_shift = -test_range(1, 8), half_second = test_range(0, 1);
  p.in1_mult = half_second ? other_mult : half_mult, p.in1_shift = half_second ? other_shift : 0;
  p.in2_mult = half_second ? half_mult : other_mult, p.in2_shift = half_second ? 0 : other_shift;
  p.out_mult = (int32_t)((1u << 30) | (test_next() >> 2)), p.out_shift = -test_range(14, 22);
  p.in1_zp = test_range(-128, 127), p.in2_zp = test_range(-128, 127), p.out_zp = test_range(-128, 127);
  p.act_min = test_range(-128, 0), p.act_max = test_range(p.act_min, 127);
  if (test_range(0, 1)) p.act_min = -128, p.act_max = 127;
  int8_t *in2 = w_buf;
  test_fill(in_buf, p.count);
  test_fill(in2, p.count);
  tm_ref_elementwise(&p, in_buf, in2, out_ref, tm_ref_add_point);
  tm_elementwise_add(&p, in_buf, in2, out_got);
  if (test_compare("add", trial, p.count)) return 1;
  int32_t lag, unit;
  if (!tm_elementwise_inplace_lag(p.contiguous, &lag, &unit)) return 0;
  int8_t *out = test_inplace(p.count, lag, unit);  // in place over the first operand
  tm_elementwise_add(&p, arena + TEST_BUF, in2, out);
  return test_out("add (in place)", trial, out, p.count);
}

int main(void) {
  int n = 0;
  for (int trial = 0; trial < 400; ++trial, n += 3) {
    if (test_conv(trial) || test_depthwise(trial) || test_fully_connected(trial)) return 1;
  }
  for (int trial = 0; trial < 40; ++trial, ++n) {
    if (test_add(trial)) return 1;
  }
  printf("kernels ok %d\n", n);
  return 0;
}
