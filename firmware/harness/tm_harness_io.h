// SPDX-License-Identifier: Apache-2.0
// Text output and parsing helpers for the harness, over tm_port_putc (no
// printf: keeps newlib's float formatting out of the image).
#ifndef FIRMWARE_HARNESS_TM_HARNESS_IO_H_
#define FIRMWARE_HARNESS_TM_HARNESS_IO_H_

#include <stddef.h>
#include <stdint.h>

void tm_harness_io_puts(const char *s);
void tm_harness_io_put_u32(uint32_t v);
void tm_harness_io_put_i32(int32_t v);
// Scientific notation with 9 significant digits: enough to recover the int8.
void tm_harness_io_put_float(float v);
// `prefix` + `[` + `body` + `]` + newline, e.g. m-name-dut-[qemu-m4].
void tm_harness_io_line(const char *prefix, const char *body);
// `prefix` + `[` + the `n` values, comma-separated + `]` + newline, e.g. m-runs-[120,118].
void tm_harness_io_list(const char *prefix, const uint32_t *values, size_t n);

// Fletcher-16 of `n` bytes: lets the host detect bytes lost or changed on the link.
uint16_t tm_harness_io_fletcher16(const uint8_t *data, size_t n);

// Parses a decimal number at *s, advancing it; -1 when there is none or it overflows.
int32_t tm_harness_io_parse_u31(const char **s);
// Decodes hex pairs into out (capacity cap); the byte count, or -1 on a
// non-hex digit, an odd length, or overflow of cap.
int32_t tm_harness_io_parse_hex(const char *s, uint8_t *out, size_t cap);

#endif  // FIRMWARE_HARNESS_TM_HARNESS_IO_H_
