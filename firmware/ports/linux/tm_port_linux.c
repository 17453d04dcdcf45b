// SPDX-License-Identifier: Apache-2.0
// tm_port.h for Linux targets (Raspberry Pi, or qemu-aarch64 in CI): the host
// link is the process's stdin/stdout, ticks are microseconds of
// CLOCK_MONOTONIC. stdout is line-buffered: every harness reply ends with a
// newline, so one write per line instead of one per byte.
// clock_gettime is POSIX, hidden by -std=c11 without this
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tm_port.h"

#ifndef TM_BOARD
#define TM_BOARD "linux"
#endif

void tm_port_init(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
}

void tm_port_putc(char c) {
  putchar(c);
}

int tm_port_getc(void) {
  int c = getchar();
  // The host closed the link: nothing more will come, end the process cleanly.
  if (c == EOF) tm_port_exit(0);
  return c;
}

uint32_t tm_port_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

uint32_t tm_port_micros(void) {
  return tm_port_ticks();
}

// A free-running clock has no phase to restart.
void tm_port_ticks_sync(void) {}

const char *tm_port_tick_unit(void) {
  return "us";
}

void tm_port_spin(uint32_t n) {
  for (volatile uint32_t i = 0; i < n; i++) {
  }
}

// The kernel owns the stack; painting it is not worth it for a process.
size_t tm_port_stack_size(void) {
  return 0;
}

size_t tm_port_stack_used(void) {
  return 0;
}

const char *tm_port_board(void) {
  return TM_BOARD;
}

void tm_port_exit(int status) {
  fflush(stdout);
  exit(status);
}
