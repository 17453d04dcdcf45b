// SPDX-License-Identifier: Apache-2.0
// In-place lag of the activations (activation.c and any twin alike).
#include "kernels/activation.h"

// Each element (softmax: each row) is read before it is written: out may
// sit exactly on in.
int32_t tm_activation_inplace_lag(int32_t *lag, int32_t *unit) {
  *lag = 0;
  *unit = 1;
  return 1;
}
