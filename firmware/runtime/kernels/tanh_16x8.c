// SPDX-License-Identifier: Apache-2.0
#include "kernels/tanh_16x8.h"

void tm_tanh_16x8_eval(const tm_tanh_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int32_t round = p->shift > 0 ? 1 << (p->shift - 1) : 0;
  for (int32_t i = 0; i < p->size; ++i) {
    const int32_t x = (in[i] * p->mult + round) >> p->shift;
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t step = ax >> 8;  // 256 input units per table step: sigmoid(2x)
    int32_t r = (int32_t)(0xFFFFu << 8);  // saturated: sigmoid(2|x|) is 1 in Q0.16
    if (step < 255) {
      const uint32_t a = p->table[step], b = p->table[step + 1];
      r = (int32_t)((a << 8) + (ax & 0xFF) * (b - a));
    }
    // 2 sigmoid - 1 (subtracting one half in Q0.24), negated for x < 0, rounded to Q0.15.
    r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    out[i] = (int16_t)(r >> 8);
  }
}
