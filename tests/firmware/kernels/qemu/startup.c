// SPDX-License-Identifier: Apache-2.0
// Minimal Cortex-M4F start-up for kernel tests under QEMU: vector table,
// FPU on, .data/.bss set up, semihosting stdio, exit code via semihosting.
#include <stdint.h>
#include <stdio.h>

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern void initialise_monitor_handles(void);
int main(void);

// SYS_EXIT_EXTENDED: QEMU exits with `code`.
static void startup_exit(int code) {
  const uint32_t block[2] = {0x20026u, (uint32_t)code};  // ADP_Stopped_ApplicationExit, status
  register uint32_t r0 __asm__("r0") = 0x20;
  register const uint32_t *r1 __asm__("r1") = block;
  __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
  for (;;) {
  }
}

static void startup_fault(void) {
  printf("fault\n");
  startup_exit(250);
}

void tm_test_reset(void) {
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;  // CPACR: CP10/CP11 full access
  __asm__ volatile("dsb\n isb");
  const uint32_t *src = &__data_load;
  for (uint32_t *dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (uint32_t *dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
  initialise_monitor_handles();
  const int rc = main();
  fflush(stdout);
  startup_exit(rc);
}

__attribute__((section(".isr_vector"), used)) static void (*const startup_vectors[16])(void) = {
    (void (*)(void))&__stack_top, tm_test_reset, startup_fault, startup_fault, startup_fault, startup_fault,
    startup_fault, 0, 0, 0, 0, startup_fault, startup_fault, 0, startup_fault, startup_fault,
};
