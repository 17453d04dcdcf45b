// SPDX-License-Identifier: Apache-2.0
// Which weight copy a 16x8 build carries. The portable kernels read the
// model's int8 weights; the DSP twins read them widened to int16 at
// generation time, so each SMLALD takes two weights from one word with no
// sign extension or activation reordering. The generated code passes each
// copy through its macro (and compiles each array under the same
// condition), so a build carries only the copy its kernels read. The
// portable kernels also run on DSP cores (tests, size builds): there they
// read the int16 copy, through tm_16x8_weight.
#ifndef FIRMWARE_RUNTIME_KERNELS_WEIGHTS_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_WEIGHTS_16X8_H_

#include <stdint.h>

// Weight i of whichever copy the build carries.
static inline int32_t tm_16x8_weight(const int8_t *w8, const int16_t *w16, int32_t i) { return w8 ? w8[i] : w16[i]; }

#if defined(__ARM_FEATURE_DSP)
#define TM_16X8_W8(table) 0
#define TM_16X8_W16(table) (table)
#else
#define TM_16X8_W8(table) (table)
#define TM_16X8_W16(table) 0
#endif

#endif  // FIRMWARE_RUNTIME_KERNELS_WEIGHTS_16X8_H_
