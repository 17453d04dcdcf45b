// SPDX-License-Identifier: Apache-2.0
// In-place lag of ADD and MUL (elementwise.c and dsp/elementwise.c alike).
#include "kernels/elementwise.h"

// Same-shape operands are read element by element (in both twins) before
// that element is written: out may sit exactly on either.
// A broadcast reads an operand's elements again later: never in place.
int32_t tm_elementwise_inplace_lag(int32_t contiguous, int32_t *lag, int32_t *unit) {
  *lag = 0;
  *unit = 1;
  return contiguous != 0;
}
