// SPDX-License-Identifier: Apache-2.0
// tm_port.h for QEMU MPS2. Ticks come from SysTick on the CPU clock, extended
// to 32 bits by its wrap interrupt. Under `-icount shift=0` a tick is a fixed
// number of guest instructions, which the host calibrates with tm_port_spin().
#include "tm_port.h"

#include "tm_port_qemu_mps2.h"

#ifndef TM_BOARD
#define TM_BOARD "qemu"
#endif

#define TM_QEMU_SYST_RELOAD 0x00FFFFFFu

extern uint32_t _sstack, _estack;

static volatile uint32_t tm_qemu_systick_wraps;
static uint32_t tm_qemu_ticks_base;  // ticks before the last sync

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
  tm_qemu_ticks_base += tm_qemu_ticks_since_sync();
  tm_qemu_systick_wraps = 0;
  TM_QEMU_REG(TM_QEMU_SYST_CVR) = 0;
  __asm volatile("cpsie i" ::: "memory");
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
