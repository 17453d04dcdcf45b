// SPDX-License-Identifier: Apache-2.0
// Device side of the serial protocol (MLPerf Tiny / EEMBC text commands plus
// `info%`, `mem%`, `calib N%`). Runtime-agnostic: it only uses tm_model.h and
// tm_port.h.
#ifndef FIRMWARE_HARNESS_TM_HARNESS_H_
#define FIRMWARE_HARNESS_TM_HARNESS_H_

#ifdef __cplusplus
extern "C" {
#endif

// Prints the boot banner, then serves commands forever.
void tm_harness_run(void);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_HARNESS_TM_HARNESS_H_
