// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D for Cortex-M with the DSP extension. With depth
// multiplier 1 and channels in multiples of 4: for each output row the k_h
// input rows it reads are copied into scratch with zero-point padding, so
// the inner loops have no bounds checks; four channels per word (SXTB16
// splits them into lanes, SMLABB/SMLATT accumulate each lane), weights
// stored per channel quad so they stream in order. Other shapes use the
// reference loops.
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

// Requantization constants read once: stores through int8_t pointers could
// alias the params, so the compiler would reload them after every byte.
typedef struct {
  const int32_t *mult, *shift;
  int32_t zp, lo, hi;
  int fast;  // tm_dsp_fast_ok holds for the layer
  int sat;   // ... and the clamp is the whole int8 range
} dw_out_t;

static inline void dw_store(const dw_out_t *q, int32_t a0, int32_t a1, int32_t a2, int32_t a3, int c,
                            int8_t *out) {
  const int32_t zp = q->zp, lo = q->lo, hi = q->hi;
  const int32_t *m = q->mult + c, *s = q->shift + c;
  if (q->sat) {
    out[0] = tm_dsp_requantize_fast_sat(a0, m[0], s[0], zp);
    out[1] = tm_dsp_requantize_fast_sat(a1, m[1], s[1], zp);
    out[2] = tm_dsp_requantize_fast_sat(a2, m[2], s[2], zp);
    out[3] = tm_dsp_requantize_fast_sat(a3, m[3], s[3], zp);
    return;
  }
  if (q->fast) {
    out[0] = tm_dsp_requantize_fast(a0, m[0], s[0], zp, lo, hi);
    out[1] = tm_dsp_requantize_fast(a1, m[1], s[1], zp, lo, hi);
    out[2] = tm_dsp_requantize_fast(a2, m[2], s[2], zp, lo, hi);
    out[3] = tm_dsp_requantize_fast(a3, m[3], s[3], zp, lo, hi);
    return;
  }
  out[0] = tm_dsp_requantize(a0, m[0], s[0], zp, lo, hi);
  out[1] = tm_dsp_requantize(a1, m[1], s[1], zp, lo, hi);
  out[2] = tm_dsp_requantize(a2, m[2], s[2], zp, lo, hi);
  out[3] = tm_dsp_requantize(a3, m[3], s[3], zp, lo, hi);
}

// One tap: four channel lanes of input word u times weight word f.
#define DW_TAP(u, f)                             \
  do {                                           \
    const int32_t ue_ = tm_dsp_even(u), uo_ = tm_dsp_odd(u); \
    const int32_t fe_ = tm_dsp_even(f), fo_ = tm_dsp_odd(f); \
    a0 = __smlabb(ue_, fe_, a0);                 \
    a2 = __smlatt(ue_, fe_, a2);                 \
    a1 = __smlabb(uo_, fo_, a1);                 \
    a3 = __smlatt(uo_, fo_, a3);                 \
  } while (0)

// Four channels (c..c+3) of the output pixel whose window starts at x in the
// gathered rows; w: the channel quad's k_h*k_w weight words in order.
static void dw_block(const int8_t *x, const int8_t *w, const int32_t *bias, int k_h, int k_w, int step,
                     int row_skip, int32_t acc[4]) {
  // Bound: k_h*k_w taps of |x*w| <= 2^14 plus the bias.
  int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
  if (k_w == 3) {  // the common 3-wide window, unrolled
    const int row = row_skip + 3 * step;
    for (int ky = 0; ky < k_h; ++ky, x += row, w += 12) {
      DW_TAP(tm_dsp_load4(x), tm_dsp_load4(w));
      DW_TAP(tm_dsp_load4(x + step), tm_dsp_load4(w + 4));
      DW_TAP(tm_dsp_load4(x + 2 * step), tm_dsp_load4(w + 8));
    }
  } else {
    for (int ky = 0; ky < k_h; ++ky, x += row_skip) {
      for (int kx = 0; kx < k_w; ++kx, w += 4, x += step) DW_TAP(tm_dsp_load4(x), tm_dsp_load4(w));
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

void tm_depthwise_conv_eval(const tm_depthwise_conv_params_t *p, const int8_t *in, int8_t *out) {
  if (p->depth_mult != 1 || (p->in_c & 3) || !p->scratch) {
    tm_ref_depthwise_conv(p, in, out);
    return;
  }
  const int wp = (p->out_w - 1) * p->stride_w + (p->k_w - 1) * p->dil_w + 1;
  const int cc = p->in_c, k_h = p->k_h, k_w = p->k_w, taps = k_h * k_w;
  const int step = p->dil_w * cc, row_skip = (wp - k_w * p->dil_w) * cc;
  const int fast = tm_dsp_fast_ok(p->bias, p->shift, cc, taps);
  const dw_out_t q = {p->mult, p->shift, p->out_zp, p->act_min, p->act_max, fast,
                      fast && p->act_min == -128 && p->act_max == 127};
  for (int oy = 0; oy < p->out_h; ++oy) {
    dw_gather_rows(p, in, oy, wp);
    for (int ox = 0; ox < p->out_w; ++ox) {
      const int8_t *x = p->scratch + ox * p->stride_w * cc;
      int8_t *o = out + ((int32_t)oy * p->out_w + ox) * cc;
      for (int c = 0; c < cc; c += 4) {
        int32_t acc[4];
        dw_block(x + c, p->weights + c * taps, p->bias + c, k_h, k_w, step, row_skip, acc);
        dw_store(&q, acc[0], acc[1], acc[2], acc[3], c, o + c);
      }
    }
  }
}
