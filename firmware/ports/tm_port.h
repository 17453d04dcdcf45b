// SPDX-License-Identifier: Apache-2.0
// The tiny port API: all the harness needs from a board (serial, a tick
// counter, the stack, exit). One implementation per folder in firmware/ports/.
#ifndef FIRMWARE_PORTS_TM_PORT_H_
#define FIRMWARE_PORTS_TM_PORT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Clocks, FPU, UART and tick source; called once before anything else.
void tm_port_init(void);

// Blocking write of one byte to the host link.
void tm_port_putc(char c);

// Blocking read of one byte from the host link.
int tm_port_getc(void);

// Free-running 32-bit tick counter; the host takes differences modulo 2^32.
uint32_t tm_port_ticks(void);

// Restarts the counting phase at this call, keeping tm_port_ticks() monotonic.
// Called before every timed run so counts do not depend on what ran before
// (UART polling takes as long as the host makes it wait).
void tm_port_ticks_sync(void);

// What one tick is ("us", "cycles", or "ticks" when the host calibrates them).
const char *tm_port_tick_unit(void);

// Microseconds for the MLPerf runner's `m-lap-us-` lines: the board's time,
// or QEMU's virtual time under -icount shift=0 (1 ns per guest instruction).
uint32_t tm_port_micros(void);

// Optional: reads exactly `n` bytes of the host file `path` into `dst` (QEMU
// semihosting); the count read, or -1. Ports without host files leave it out,
// and the harness then never offers `db file`.
int32_t tm_port_read_file(const char *path, uint8_t *dst, size_t n) __attribute__((weak));

// Optional: writes `n` bytes from `src` to the host file `path`, replacing it
// (append 0) or at its end (append 1); the count written, or -1. Used by
// validation builds to return layer outputs without the serial link.
int32_t tm_port_write_file(const char *path, const uint8_t *src, size_t n, int append) __attribute__((weak));

// Optional: keeps `header` then `data` across resets (a flash page on real
// boards), replacing what was kept; 0 on success. Personalization builds save
// their head with it (`head save%`); ports without it leave it out.
int tm_port_save(const void *header, size_t header_bytes, const void *data, size_t n) __attribute__((weak));

// Optional: `n` bytes of what tm_port_save kept, from byte `offset`; 0 on success,
// non-zero when nothing is kept.
int tm_port_restore(void *dst, size_t n, size_t offset) __attribute__((weak));

// Runs a loop of exactly TM_PORT_SPIN_INSNS_PER_ITER * n instructions (plus a
// constant call overhead); lets the host turn ticks into instructions.
void tm_port_spin(uint32_t n);
#define TM_PORT_SPIN_INSNS_PER_ITER 2

// Stack reserved for the program and the most of it ever used (by painting).
size_t tm_port_stack_size(void);
size_t tm_port_stack_used(void);

// Board id (boards/<id>.toml) the firmware was built for.
const char *tm_port_board(void);

// Ends the program with `status` (semihosting on QEMU; a reset loop on hardware).
void tm_port_exit(int status);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_PORTS_TM_PORT_H_
