// SPDX-License-Identifier: Apache-2.0
#include "kernels/logistic_16x8.h"

void tm_logistic_16x8_eval(const tm_logistic_16x8_params_t *p, const int16_t *in, int16_t *out) {
  const int32_t round = p->shift > 0 ? 1 << (p->shift - 1) : 0;
  for (int32_t i = 0; i < p->size; ++i) {
    const int32_t x = (in[i] * p->mult + round) >> p->shift;
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t step = ax >> 9;  // 512 input units per table step (1/24)
    uint32_t r = 0x7FFFu << 10;     // saturated: sigmoid(|x| >= 10.6) is 1 in Q0.15
    if (step < 255) {
      const uint32_t a = p->table[step], b = p->table[step + 1];
      r = (a << 9) + (ax & 0x1FF) * (b - a);
    }
    // 1 - sigmoid(|x|) for x < 0, both rounded to Q0.15.
    r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
    out[i] = (int16_t)(r >> 10);
  }
}
