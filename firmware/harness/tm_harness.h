// SPDX-License-Identifier: Apache-2.0
// Device side of the serial protocol (MLPerf Tiny / EEMBC text commands and
// our extensions). Runtime-agnostic: it only uses tm_model.h and tm_port.h.
// Every command, reply line and limit is a row of the table in
// toolchain/harness_protocol.py, which generates tm_protocol.h for this side.
#ifndef FIRMWARE_HARNESS_TM_HARNESS_H_
#define FIRMWARE_HARNESS_TM_HARNESS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Optional, linked with audio models: `stream begin <begin>%` when `begin` is
// not NULL, else `stream%` over the `bytes` of loaded input.
void tm_harness_stream(const char *begin, const uint8_t *input, size_t bytes) __attribute__((weak));

// Linked in validation builds (-DTM_VALIDATE, tm_validate.c): serves `validate%`
// (`path` NULL: the outputs as m-hex- lines) and `validate file PATH%`, running
// `invoke` once on the loaded input; a non-zero return of `invoke` is the runtime's error.
void tm_harness_validate(const char *path, int (*invoke)(void)) __attribute__((weak));

// One inference on the loaded input, for commands beyond the harness's own
// (firmware/personalize/); NULL, or why it could not run.
const char *tm_harness_invoke_input(void);

// Prints the boot banner, then serves commands forever.
void tm_harness_run(void);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_HARNESS_TM_HARNESS_H_
