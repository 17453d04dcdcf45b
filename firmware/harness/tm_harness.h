// SPDX-License-Identifier: Apache-2.0
// Device side of the serial protocol (MLPerf Tiny / EEMBC text commands).
// Runtime-agnostic: it only uses tm_model.h and tm_port.h.
//   name%          m-name-dut-[<board>]
//   profile%       m-profile-[toolchain], m-model-[<model>]
//   db load N%     m-[Expecting N bytes]      (N must be the model's input size)
//   db <hex>%      appends at most 31 bytes (MLPerf), TM_HARNESS_DB_MAX_BYTES for our host
//   infer N W%     W warm-ups, N timed runs: m-lap-us-<t0>, m-lap-us-<t1> (virtual
//                  microseconds on QEMU: 1 ns per instruction under -icount shift=0),
//                  m-runs-[ticks per run], m-layers-[ticks per layer] (-DTM_PROFILE),
//                  m-results-[dequantized outputs], m-check-[input,output Fletcher-16]
//   results%       m-results-[...], m-check-[...] of the last inference
// Extensions:
//   info%          m-info-{model,hash,runtime,board,input,output,timer,layers}-[...],
//                  m-info-link-[<db bytes per line>(,file)]: what the host may use
//   db file PATH%  the rest of the input from a host file (ports with tm_port_read_file)
//   mem%           m-mem-arena-[B], m-mem-stack-used-[B] (painting), m-mem-stack-size-[B]
//   calib N%       m-calib-[instructions,ticks] of a loop of known length
//   stats%         m-stats-...-[...] field statistics; stats reset% clears them (tm_stats.h)
//   stream ...%    streaming keyword detection over loaded pieces of PCM (audio models;
//                  firmware/frontend/tm_stream_command.c)
//   validate%      validation builds: one inference, every layer's output sent back
//   validate file PATH%  the same, the outputs written to a host file (tm_validate.c)
// The boot banner is m-boot-[<board>,<model>,<hash>]. Every reply ends with
// m-ready; errors are e-[<reason>] and the loop keeps serving.
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
// (`args` is "" or "file PATH"), running `invoke` once on the loaded input; a
// non-zero return of `invoke` is the runtime's error.
void tm_harness_validate(const char *args, int (*invoke)(void)) __attribute__((weak));

// Prints the boot banner, then serves commands forever.
void tm_harness_run(void);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_HARNESS_TM_HARNESS_H_
