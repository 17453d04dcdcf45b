// SPDX-License-Identifier: Apache-2.0
// CONV_2D for Cortex-M with the DSP extension: two output pixels x two
// output channels per inner loop, four int8 per SMLAD pair. Each pixel's
// receptive field is gathered into a contiguous patch (zero-point padded) in
// scratch, except 1x1 unpadded convolutions, which read the input in place
// (a plain matrix multiply).
#include "kernels/conv.h"

#include "kernels/dsp/dsp_common.h"
#include "reference/requantize.h"

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

// acc[2*px + ch] += dot(patch px, filter ch) over n int8 values.
static void conv_dot_2x2(const int8_t *a0, const int8_t *a1, const int8_t *w0, const int8_t *w1, int n,
                         int32_t acc[4]) {
  // Bound: n products of |x*w| <= 2^14 each; n < 2^16 keeps every sum in int32.
  int32_t s00 = acc[0], s01 = acc[1], s10 = acc[2], s11 = acc[3];
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t x0 = tm_dsp_load4(a0 + i), x1 = tm_dsp_load4(a1 + i);
    const int32_t x0e = tm_dsp_even(x0), x0o = tm_dsp_odd(x0), x1e = tm_dsp_even(x1), x1o = tm_dsp_odd(x1);
    uint32_t f = tm_dsp_load4(w0 + i);
    int32_t fe = tm_dsp_even(f), fo = tm_dsp_odd(f);
    s00 = __smlad(x0e, fe, __smlad(x0o, fo, s00));
    s10 = __smlad(x1e, fe, __smlad(x1o, fo, s10));
    f = tm_dsp_load4(w1 + i);
    fe = tm_dsp_even(f);
    fo = tm_dsp_odd(f);
    s01 = __smlad(x0e, fe, __smlad(x0o, fo, s01));
    s11 = __smlad(x1e, fe, __smlad(x1o, fo, s11));
  }
  for (; i < n; ++i) {
    s00 += a0[i] * w0[i];
    s01 += a0[i] * w1[i];
    s10 += a1[i] * w0[i];
    s11 += a1[i] * w1[i];
  }
  acc[0] = s00;
  acc[1] = s01;
  acc[2] = s10;
  acc[3] = s11;
}

// Output pixels p0 and p0 + 1 (p1 = 0 when only p0 is valid).
static void conv_pixels(const tm_conv_params_t *p, const int8_t *a0, const int8_t *a1, int8_t *o0, int8_t *o1) {
  const int n = p->k_h * p->k_w * p->in_c;
  for (int oc = 0; oc < p->out_c; oc += 2) {
    const int oc1 = oc + 1 < p->out_c ? oc + 1 : oc;
    int32_t acc[4] = {p->bias[oc], p->bias[oc1], p->bias[oc], p->bias[oc1]};
    conv_dot_2x2(a0, a1 ? a1 : a0, p->weights + (int32_t)oc * n, p->weights + (int32_t)oc1 * n, n, acc);
    o0[oc] = tm_ref_requantize(acc[0], p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
    if (a1) o1[oc] = tm_ref_requantize(acc[2], p->mult[oc], p->shift[oc], p->out_zp, p->act_min, p->act_max);
    if (oc1 != oc) {
      o0[oc1] = tm_ref_requantize(acc[1], p->mult[oc1], p->shift[oc1], p->out_zp, p->act_min, p->act_max);
      if (a1) o1[oc1] = tm_ref_requantize(acc[3], p->mult[oc1], p->shift[oc1], p->out_zp, p->act_min, p->act_max);
    }
  }
}

void tm_conv_eval(const tm_conv_params_t *p, const int8_t *in, int8_t *out) {
  const int pixels = p->out_h * p->out_w;
  const int direct = p->k_h == 1 && p->k_w == 1 && p->pad_top == 0 && p->pad_left == 0;
  const int patch_bytes = (p->k_h * p->k_w * p->in_c + 3) & ~3;
  for (int px = 0; px < pixels; px += 2) {
    const int has_second = px + 1 < pixels;
    const int8_t *a[2] = {0, 0};
    for (int k = 0; k < 1 + has_second; ++k) {
      const int oy = (px + k) / p->out_w, ox = (px + k) % p->out_w;
      if (direct) {
        a[k] = in + ((int32_t)oy * p->stride_h * p->in_w + ox * p->stride_w) * p->in_c;
      } else {
        int8_t *patch = p->scratch + k * patch_bytes;
        conv_gather(p, in, oy, ox, patch);
        a[k] = patch;
      }
    }
    conv_pixels(p, a[0], a[1], out + (int32_t)px * p->out_c, out + (int32_t)(px + 1) * p->out_c);
  }
}
