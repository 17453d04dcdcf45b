// SPDX-License-Identifier: Apache-2.0
// CONV_2D, int8 activations, per-channel int8 weights, NHWC, batch 1.
// Everything here is a constant folded by the AOT generator ("prepare").
#ifndef FIRMWARE_RUNTIME_KERNELS_CONV_H_
#define FIRMWARE_RUNTIME_KERNELS_CONV_H_

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int16_t in_h, in_w, in_c;      // input shape (NHWC, N = 1)
  int16_t out_h, out_w, out_c;   // output shape
  int16_t k_h, k_w;              // filter size
  int16_t stride_h, stride_w;
  int16_t dil_h, dil_w;          // dilation factors (1 = dense)
  int16_t pad_top, pad_left;     // implicit zero-point padding before row/column 0
  int32_t in_zp;                 // input zero point: the value of a padded tap
  int32_t out_zp;                // output zero point
  int32_t act_min, act_max;      // fused activation clamp, in output int8 units
  const int8_t *weights;         // [out_c][k_h][k_w][in_c] in the channel-pair layout (reference/weight_layout.h)
  const int32_t *bias;           // bias[c] - in_zp * sum(weights[c]), per channel
  const int32_t *mult;           // per-channel Q31 multiplier
  const int32_t *shift;          // per-channel power-of-two shift (> 0: left)
  const int32_t *rq;             // DSP kernel: per channel {2 * mult - 2^32, 2^(r-1) + out_zp * 2^r, r = -shift}
                                 // when the generator could fold them (quant.py); else 0
  int8_t *scratch;               // tm_conv_scratch_bytes(...) bytes
} tm_conv_params_t;

// The requantization table serves the DSP kernel only: the generated code
// passes it through this macro (and compiles the array under the same
// condition), so builds for cores without the DSP extension carry neither.
#if defined(__ARM_FEATURE_DSP)
#define TM_CONV_RQ(table) (table)
#else
#define TM_CONV_RQ(table) 0
#endif

// With rq, filter rows up to this many taps (rounded up to 4) are computed
// six output pixels at a time (three times the scratch of two), see
// kernels/dsp/conv_sizes.c.
#define TM_CONV_TILE_MAX_KP 288

// out[out_h][out_w][out_c] = conv(in). Output rows are written in order, so
// out may start below in by tm_conv_inplace_lag's bytes.
void tm_conv_eval(const tm_conv_params_t *p, const int8_t *in, int8_t *out);

// Output rows oy0 .. oy1 - 1 into out (row oy0 first), reading input row iy
// at in + (iy - in_row0) * in_w * in_c: the rows a streamed layer holds in a
// window (the AOT generator's conv -> conv fusion, toolchain/aot/fuse.py).
void tm_conv_eval_rows(const tm_conv_params_t *p, const int8_t *in, int in_row0, int8_t *out, int oy0, int oy1);

// Sizes, defined by each twin (conv_sizes.c) and asked by the AOT generator
// through the host build of both (toolchain/aot/kernel_sizes.py).

// Scratch bytes a k_h x k_w x in_c filter needs; has_rq: the layer passes rq.
size_t tm_conv_scratch_bytes(int32_t k_h, int32_t k_w, int32_t in_c, int32_t has_rq);

// Whether out may overwrite in: starting at least *lag bytes below it, a
// multiple of *unit bytes below. Returns 0 when never.
int32_t tm_conv_inplace_lag(int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w, int32_t out_c,
                            int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, int32_t *lag,
                            int32_t *unit);

// Output pixels computed together at most: rows streamed in multiples of
// this many pixels keep every tile whole (toolchain/aot/fuse.py).
int32_t tm_conv_pixels_per_step(void);

#endif  // FIRMWARE_RUNTIME_KERNELS_CONV_H_
