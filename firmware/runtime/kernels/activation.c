// SPDX-License-Identifier: Apache-2.0
// Portable softmax, logistic and tanh: the reference loops.
#include "kernels/activation.h"

#include "reference/activation.h"

void tm_activation_softmax(const tm_softmax_params_t *p, const int8_t *in, int8_t *out) { tm_ref_softmax(p, in, out); }

void tm_activation_logistic(const tm_sigmoid_params_t *p, const int8_t *in, int8_t *out) { tm_ref_logistic(p, in, out); }

void tm_activation_tanh(const tm_sigmoid_params_t *p, const int8_t *in, int8_t *out) { tm_ref_tanh(p, in, out); }
