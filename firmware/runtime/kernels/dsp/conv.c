// SPDX-License-Identifier: Apache-2.0
// CONV_2D for Cortex-M with the DSP extension: two output pixels x two
// output channels per inner loop, four int8 per SMLAD pair, the two filters
// interleaved at generation time (reference/weight_layout.h) so they stream
// from one pointer. Each pixel's receptive field is gathered into a
// contiguous patch (zero-point padded) in scratch, except 1x1 unpadded
// convolutions over whole words, which read the input in place (a plain
// matrix multiply).
// Hot loops: keep -O2 code generation when the project builds with -Os
// (PlatformIO's default), which would otherwise cost ~30% more instructions.
#pragma GCC optimize("O2")

#include "kernels/conv.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/weight_layout.h"

// Gathers the receptive field of output pixel (oy, ox) into patch.
static void conv_gather(const tm_conv_params_t *p, const int8_t *in, int oy, int ox, int8_t *patch) {
  const int ic = p->in_c;
  const int y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
  const int row_inside = x0 >= 0 && x0 + (p->k_w - 1) * p->dil_w < p->in_w;
  for (int ky = 0; ky < p->k_h; ++ky) {
    const int iy = y0 + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) {
      memset(patch, (int)p->in_zp, (size_t)(p->k_w * ic));
      patch += p->k_w * ic;
      continue;
    }
    const int8_t *src = in + ((int32_t)iy * p->in_w + x0) * ic;
    if (row_inside && p->dil_w == 1) {
      memcpy(patch, src, (size_t)(p->k_w * ic));
      patch += p->k_w * ic;
      continue;
    }
    for (int kx = 0; kx < p->k_w; ++kx, patch += ic) {
      const int ix = x0 + kx * p->dil_w;
      if (ix < 0 || ix >= p->in_w) {
        memset(patch, (int)p->in_zp, (size_t)ic);
      } else {
        memcpy(patch, src + kx * p->dil_w * ic, (size_t)ic);
      }
    }
  }
}

// Output channels 2j and 2j+1 (w: their interleaved filters, kp bytes
// each) for the pixels whose patches are a0 and a1; o1 = 0 drops pixel 1.
// Requantization variants, picked once per call (a constant after inlining).
enum { CONV_CHECKED, CONV_FAST, CONV_FAST_SAT };

static inline __attribute__((always_inline)) int8_t conv_requantize(int mode, int32_t acc, int32_t m, int32_t sh,
                                                                    int32_t zp, int32_t lo, int32_t hi) {
  if (mode == CONV_FAST_SAT) return tm_dsp_requantize_fast_sat(acc, m, sh, zp);
  if (mode == CONV_FAST) return tm_dsp_requantize_fast(acc, m, sh, zp, lo, hi);
  return tm_dsp_requantize(acc, m, sh, zp, lo, hi);
}

static inline __attribute__((always_inline)) void conv_pair(const tm_conv_params_t *p, const int8_t *a0,
                                                            const int8_t *a1, const int8_t *w, int kp, int oc,
                                                            int8_t *o0, int8_t *o1, int mode) {
  const int oc1 = oc + 1 < p->out_c ? oc + 1 : oc;
  const int32_t zp = p->out_zp, lo = p->act_min, hi = p->act_max;  // locals: int8 stores may alias *p
  // Bound: kp products of |x*w| <= 2^14 each plus the bias; kp < 2^16 keeps every sum in int32.
  int32_t s00 = p->bias[oc], s01 = p->bias[oc1], s10 = s00, s11 = s01;
  const int8_t *end = a0 + kp;
  while (a0 < end) {
    const uint32_t f0 = tm_dsp_load4(w), f1 = tm_dsp_load4(w + 4);
    const uint32_t x0 = tm_dsp_load4(a0), x1 = tm_dsp_load4(a1);
    w += 8;
    a0 += 4;
    a1 += 4;
    const int32_t x0e = tm_dsp_even(x0), x0o = tm_dsp_odd(x0), x1e = tm_dsp_even(x1), x1o = tm_dsp_odd(x1);
    int32_t fe = tm_dsp_even(f0), fo = tm_dsp_odd(f0);
    s00 = __smlad(x0e, fe, __smlad(x0o, fo, s00));
    s10 = __smlad(x1e, fe, __smlad(x1o, fo, s10));
    fe = tm_dsp_even(f1);
    fo = tm_dsp_odd(f1);
    s01 = __smlad(x0e, fe, __smlad(x0o, fo, s01));
    s11 = __smlad(x1e, fe, __smlad(x1o, fo, s11));
  }
  const int32_t m0 = p->mult[oc], sh0 = p->shift[oc], m1 = p->mult[oc1], sh1 = p->shift[oc1];
  o0[oc] = conv_requantize(mode, s00, m0, sh0, zp, lo, hi);
  if (o1) o1[oc] = conv_requantize(mode, s10, m0, sh0, zp, lo, hi);
  if (oc1 != oc) {
    o0[oc1] = conv_requantize(mode, s01, m1, sh1, zp, lo, hi);
    if (o1) o1[oc1] = conv_requantize(mode, s11, m1, sh1, zp, lo, hi);
  }
}

// All output channels of two pixels (o1 = 0: only the first).
static void conv_pixels(const tm_conv_params_t *p, const int8_t *a0, const int8_t *a1, int8_t *o0, int8_t *o1,
                        int mode) {
  const int kp = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  const int8_t *w = p->weights;
  if (mode == CONV_FAST_SAT) {
    for (int oc = 0; oc < p->out_c; oc += 2, w += 2 * kp) conv_pair(p, a0, a1, w, kp, oc, o0, o1, CONV_FAST_SAT);
  } else if (mode == CONV_FAST) {
    for (int oc = 0; oc < p->out_c; oc += 2, w += 2 * kp) conv_pair(p, a0, a1, w, kp, oc, o0, o1, CONV_FAST);
  } else {
    for (int oc = 0; oc < p->out_c; oc += 2, w += 2 * kp) conv_pair(p, a0, a1, w, kp, oc, o0, o1, CONV_CHECKED);
  }
}

void tm_conv_eval(const tm_conv_params_t *p, const int8_t *in, int8_t *out) {
  const int pixels = p->out_h * p->out_w;
  const int direct = p->k_h == 1 && p->k_w == 1 && p->pad_top == 0 && p->pad_left == 0 && (p->in_c & 3) == 0;
  const int patch_bytes = tm_ref_padded_row((int32_t)p->k_h * p->k_w * p->in_c);
  const int fast = tm_dsp_fast_ok(p->bias, p->shift, p->out_c, (int32_t)p->k_h * p->k_w * p->in_c);
  const int mode = !fast ? CONV_CHECKED : (p->act_min == -128 && p->act_max == 127 ? CONV_FAST_SAT : CONV_FAST);
  for (int px = 0; px < pixels; px += 2) {
    const int count = px + 1 < pixels ? 2 : 1;
    const int8_t *a[2];
    for (int k = 0; k < count; ++k) {
      const int oy = (px + k) / p->out_w, ox = (px + k) % p->out_w;
      if (direct) {
        a[k] = in + ((int32_t)oy * p->stride_h * p->in_w + ox * p->stride_w) * p->in_c;
      } else {
        int8_t *patch = p->scratch + k * patch_bytes;
        conv_gather(p, in, oy, ox, patch);
        a[k] = patch;
      }
    }
    int8_t *o0 = out + (int32_t)px * p->out_c;
    conv_pixels(p, a[0], count == 2 ? a[1] : a[0], o0, count == 2 ? o0 + p->out_c : 0, mode);
  }
}
