// SPDX-License-Identifier: Apache-2.0
// Reference pooling on int16: windows clipped to the input (padding is not counted).
#ifndef FIRMWARE_RUNTIME_REFERENCE_POOLING_16X8_H_
#define FIRMWARE_RUNTIME_REFERENCE_POOLING_16X8_H_

#include "kernels/pooling_16x8.h"
#include "reference/pooling.h"

TM_REF_POOL_DEFINE(tm_ref_pool_16x8, int16_t, -32768)

#endif  // FIRMWARE_RUNTIME_REFERENCE_POOLING_16X8_H_
