// SPDX-License-Identifier: Apache-2.0
// tm_port.h for QEMU MPS2. Ticks come from SysTick on the CPU clock, extended
// to 32 bits by its wrap interrupt. Under `-icount shift=0` a tick is a fixed
// number of guest instructions, which the host calibrates with tm_port_spin().
// Host files are read (`db file`) and written (validation builds) through
// semihosting: QEMU's UART takes one
// byte per main-loop turn of the emulator, far slower than a file read.
#include "tm_port.h"

#include <string.h>

#include "tm_port_qemu_mps2.h"

#ifndef TM_BOARD
#define TM_BOARD "qemu"
#endif

#define TM_QEMU_SYST_RELOAD 0x00FFFFFFu

extern uint32_t _sstack, _estack;

static volatile uint32_t tm_qemu_systick_wraps;
static uint32_t tm_qemu_ticks_base;  // ticks before the last sync
static uint64_t tm_qemu_ticks_total;  // the same without the 32-bit wrap, for tm_port_micros

void tm_qemu_systick_handler(void) {
  tm_qemu_systick_wraps++;
}

void tm_port_init(void) {
  TM_QEMU_REG(TM_QEMU_UART_BAUDDIV) = 16;
  TM_QEMU_REG(TM_QEMU_UART_CTRL) = 0x3;
  TM_QEMU_REG(TM_QEMU_SYST_RVR) = TM_QEMU_SYST_RELOAD;
  TM_QEMU_REG(TM_QEMU_SYST_CVR) = 0;
  // CPU clock, wrap interrupt, enable
  TM_QEMU_REG(TM_QEMU_SYST_CSR) = 0x7;
}

void tm_port_putc(char c) {
  while (TM_QEMU_REG(TM_QEMU_UART_STATE) & 0x1u) {
  }
  TM_QEMU_REG(TM_QEMU_UART_DATA) = (uint8_t)c;
}

int tm_port_getc(void) {
  while (!(TM_QEMU_REG(TM_QEMU_UART_STATE) & 0x2u)) {
  }
  return (int)(TM_QEMU_REG(TM_QEMU_UART_DATA) & 0xFFu);
}

// Ticks since the last sync: writing SYST_CVR clears it to 0 and it reloads
// on the next clock edge, so 0 means "no edge yet" and v means RELOAD+1-v.
static uint32_t tm_qemu_ticks_since_sync(void) {
  uint32_t wraps, value;
  // Re-read when the counter wrapped between reading the wraps and the value
  do {
    wraps = tm_qemu_systick_wraps;
    value = TM_QEMU_REG(TM_QEMU_SYST_CVR);
  } while (wraps != tm_qemu_systick_wraps);
  return wraps * (TM_QEMU_SYST_RELOAD + 1u) + (value ? TM_QEMU_SYST_RELOAD + 1u - value : 0u);
}

uint32_t tm_port_ticks(void) {
  return tm_qemu_ticks_base + tm_qemu_ticks_since_sync();
}

void tm_port_ticks_sync(void) {
  __asm volatile("cpsid i" ::: "memory");
  uint32_t since = tm_qemu_ticks_since_sync();
  tm_qemu_ticks_base += since;
  tm_qemu_ticks_total += since;
  // the bookkeeping stays before the restart: the timed phase begins at the SYST_CVR write
  __asm volatile("" ::: "memory");
  tm_qemu_systick_wraps = 0;
  TM_QEMU_REG(TM_QEMU_SYST_CVR) = 0;
  __asm volatile("cpsie i" ::: "memory");
}

// Virtual microseconds: a tick is TM_QEMU_TICKS_PER_US of them at the MPS2's
// 25 MHz SysTick clock, and a guest instruction is 1 ns under -icount shift=0.
uint32_t tm_port_micros(void) {
  return (uint32_t)((tm_qemu_ticks_total + tm_qemu_ticks_since_sync()) / TM_QEMU_TICKS_PER_US);
}

const char *tm_port_tick_unit(void) {
  return "ticks";
}

void tm_port_spin(uint32_t n) {
  if (n == 0) return;
  __asm volatile(
      "1: subs %0, %0, #1\n"
      "   bne 1b\n"
      : "+r"(n)
      :
      : "cc");
}

size_t tm_port_stack_size(void) {
  return (size_t)((uintptr_t)&_estack - (uintptr_t)&_sstack);
}

size_t tm_port_stack_used(void) {
  const uint32_t *p = &_sstack;
  while (p < &_estack && *p == TM_QEMU_STACK_PAINT) p++;
  return (size_t)((uintptr_t)&_estack - (uintptr_t)p);
}

const char *tm_port_board(void) {
  return TM_BOARD;
}

static int32_t tm_qemu_semihost(uint32_t op, const void *block) {
  register uint32_t r0 __asm("r0") = op;
  register const void *r1 __asm("r1") = block;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return (int32_t)r0;
}

int32_t tm_port_read_file(const char *path, uint8_t *dst, size_t n) {
  // SYS_OPEN mode 1 is "rb"; SYS_READ returns the bytes it could NOT read
  uint32_t open_args[3] = {(uint32_t)path, 1u, (uint32_t)strlen(path)};
  int32_t handle = tm_qemu_semihost(0x01u, open_args);
  if (handle < 0) return -1;
  uint32_t read_args[3] = {(uint32_t)handle, (uint32_t)dst, (uint32_t)n};
  int32_t left = tm_qemu_semihost(0x06u, read_args);
  uint32_t close_args[1] = {(uint32_t)handle};
  tm_qemu_semihost(0x02u, close_args);
  return left < 0 || (size_t)left > n ? -1 : (int32_t)(n - (size_t)left);
}

int32_t tm_port_write_file(const char *path, const uint8_t *src, size_t n, int append) {
  // SYS_OPEN mode 5 is "wb", 3 is "r+b": QEMU does not honour "ab", so an append
  // seeks to the end (SYS_FLEN, SYS_SEEK). SYS_WRITE returns the bytes it could NOT write.
  uint32_t open_args[3] = {(uint32_t)path, append ? 3u : 5u, (uint32_t)strlen(path)};
  int32_t handle = tm_qemu_semihost(0x01u, open_args);
  if (handle < 0) return -1;
  if (append) {
    uint32_t flen_args[1] = {(uint32_t)handle};
    int32_t end = tm_qemu_semihost(0x0Cu, flen_args);
    uint32_t seek_args[2] = {(uint32_t)handle, (uint32_t)end};
    if (end < 0 || tm_qemu_semihost(0x0Au, seek_args) != 0) {
      tm_qemu_semihost(0x02u, flen_args);
      return -1;
    }
  }
  uint32_t write_args[3] = {(uint32_t)handle, (uint32_t)src, (uint32_t)n};
  int32_t left = tm_qemu_semihost(0x05u, write_args);
  uint32_t close_args[1] = {(uint32_t)handle};
  tm_qemu_semihost(0x02u, close_args);
  return left < 0 || (size_t)left > n ? -1 : (int32_t)(n - (size_t)left);
}

void tm_qemu_semihost_exit(int status) {
  // SYS_EXIT_EXTENDED (0x20): {ADP_Stopped_ApplicationExit, status}
  volatile uint32_t block[2] = {0x20026u, (uint32_t)status};
  register uint32_t r0 __asm("r0") = 0x20u;
  register volatile uint32_t *r1 __asm("r1") = block;
  __asm volatile("bkpt 0xAB" : : "r"(r0), "r"(r1) : "memory");
}

void tm_port_exit(int status) {
  tm_qemu_semihost_exit(status);
  for (;;) {
  }
}
