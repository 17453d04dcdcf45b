// SPDX-License-Identifier: Apache-2.0
// Which weight copy a 16x8 build carries. The portable kernels read the
// model's int8 weights; the DSP twins read them widened to int16 at
// generation time, so each SMLALD takes two weights from one word with no
// sign extension or activation reordering. The generated code passes each
// copy through its macro (and compiles each array under the same
// condition), so a build carries only the copy its kernels read.
#ifndef FIRMWARE_RUNTIME_KERNELS_WEIGHTS_16X8_H_
#define FIRMWARE_RUNTIME_KERNELS_WEIGHTS_16X8_H_

#if defined(__ARM_FEATURE_DSP)
#define TM_16X8_W8(table) 0
#define TM_16X8_W16(table) (table)
#else
#define TM_16X8_W8(table) (table)
#define TM_16X8_W16(table) 0
#endif

#endif  // FIRMWARE_RUNTIME_KERNELS_WEIGHTS_16X8_H_
