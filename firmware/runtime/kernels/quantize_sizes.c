// SPDX-License-Identifier: Apache-2.0
// In-place lag of int8 requantization (quantize.c).
#include "kernels/quantize.h"

// Each element is read before it is written: out may sit exactly on in.
int32_t tm_quantize_inplace_lag(int32_t *lag, int32_t *unit) {
  *lag = 0;
  *unit = 1;
  return 1;
}
