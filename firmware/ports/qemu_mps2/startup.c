// SPDX-License-Identifier: Apache-2.0
// Reset handler and vector table for QEMU's MPS2 Cortex-M machines: copies
// .data, clears .bss, paints the stack, enables the FPU, then calls main().
#include <stdint.h>

#include "tm_port_qemu_mps2.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;
extern int main(void);
void tm_qemu_systick_handler(void);

static void tm_qemu_fault_handler(void) {
  tm_qemu_semihost_exit(3);
}

// Runs before the FPU is on: no float code may be reached from here.
__attribute__((noreturn, used)) void tm_qemu_reset_handler(void) {
  // CP10/CP11 full access, so compiler-generated VFP code does not fault
  TM_QEMU_REG(TM_QEMU_CPACR) |= (0xFu << 20);
  __asm volatile("dsb\n isb" ::: "memory");
  uint32_t *src = &_sidata;
  for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  // Paint the unused stack so tm_port_stack_used() can find the high-water mark
  uint32_t *sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = &_sstack; p < sp - 16;) *p++ = TM_QEMU_STACK_PAINT;
  main();
  tm_qemu_semihost_exit(0);
  for (;;) {
  }
}

__attribute__((section(".isr_vector"), used)) static void (*const tm_qemu_vectors[16])(void) = {
    (void (*)(void))(&_estack),
    tm_qemu_reset_handler,
    tm_qemu_fault_handler,  // NMI
    tm_qemu_fault_handler,  // HardFault
    tm_qemu_fault_handler,  // MemManage
    tm_qemu_fault_handler,  // BusFault
    tm_qemu_fault_handler,  // UsageFault
    0, 0, 0, 0,
    0,                      // SVCall
    0, 0,
    0,                      // PendSV
    tm_qemu_systick_handler,
};
