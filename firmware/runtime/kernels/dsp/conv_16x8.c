// SPDX-License-Identifier: Apache-2.0
// CONV_2D 16x8 for cores with the DSP extension: each output pixel's patch is
// gathered once into the scratch (zeros for taps outside the input and for
// the padding up to kp) and swizzled in place, then the filter rows run two
// at a time through SMLALD (kernels/dsp/dot_16x8.h).
#include "kernels/conv_16x8.h"

#include <string.h>

#include "kernels/dsp/dot_16x8.h"
#include "reference/requantize_16x8.h"

static void conv16_gather(const tm_conv_16x8_params_t *p, const int16_t *in, int y0, int x0, int16_t *dst) {
  const int row = p->k_w * p->in_c;
  const int dense = p->dil_w == 1 && x0 >= 0 && x0 + p->k_w <= p->in_w;
  for (int ky = 0; ky < p->k_h; ++ky, dst += row) {
    const int y = y0 + ky * p->dil_h;
    if (y < 0 || y >= p->in_h) {
      memset(dst, 0, (size_t)row * sizeof(int16_t));
      continue;
    }
    const int16_t *src = in + (int32_t)y * p->in_w * p->in_c;
    if (dense) {  // the window's row is contiguous in the input
      memcpy(dst, src + (int32_t)x0 * p->in_c, (size_t)row * sizeof(int16_t));
      continue;
    }
    for (int kx = 0; kx < p->k_w; ++kx) {
      const int x = x0 + kx * p->dil_w;
      if (x < 0 || x >= p->in_w) memset(dst + kx * p->in_c, 0, (size_t)p->in_c * sizeof(int16_t));
      else memcpy(dst + kx * p->in_c, src + (int32_t)x * p->in_c, (size_t)p->in_c * sizeof(int16_t));
    }
  }
}

void tm_conv_16x8_eval(const tm_conv_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int patch = p->k_h * p->k_w * p->in_c;
  uint32_t *x = (uint32_t *)p->scratch;
  for (int oy = 0; oy < p->out_h; ++oy) {
    for (int ox = 0; ox < p->out_w; ++ox, out += p->out_c) {
      conv16_gather(p, in, oy * p->stride_h - p->pad_top, ox * p->stride_w - p->pad_left, p->scratch);
      for (int i = patch; i < p->kp; ++i) p->scratch[i] = 0;
      tm_dsp_swizzle_16x8(p->scratch, x, p->kp);
      int oc = 0;
      for (; oc + 1 < p->out_c; oc += 2) {
        int64_t a0 = p->bias[oc], a1 = p->bias[oc + 1];
        const int8_t *w = p->weights + (int32_t)oc * p->kp;
        tm_dsp_dot2_16x8(x, w, w + p->kp, p->kp, &a0, &a1);
        out[oc] = tm_ref_requantize_16x8(a0, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
        out[oc + 1] = tm_ref_requantize_16x8(a1, p->mult[oc + 1], p->shift[oc + 1], p->act_min, p->act_max);
      }
      if (oc < p->out_c) {
        const int64_t a = tm_dsp_dot_16x8(x, p->weights + (int32_t)oc * p->kp, p->kp, p->bias[oc]);
        out[oc] = tm_ref_requantize_16x8(a, p->mult[oc], p->shift[oc], p->act_min, p->act_max);
      }
    }
  }
}
