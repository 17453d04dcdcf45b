// SPDX-License-Identifier: Apache-2.0
// Registers of QEMU's MPS2 machines (AN386 Cortex-M4F, AN500 Cortex-M7) used
// by this port: CMSDK UART0, SysTick, CPACR; and the semihosting exit.
#ifndef FIRMWARE_PORTS_QEMU_MPS2_TM_PORT_QEMU_MPS2_H_
#define FIRMWARE_PORTS_QEMU_MPS2_TM_PORT_QEMU_MPS2_H_

#include <stdint.h>

#define TM_QEMU_REG(addr) (*(volatile uint32_t *)(addr))

#define TM_QEMU_UART0 0x40004000u
#define TM_QEMU_UART_DATA (TM_QEMU_UART0 + 0x0u)
#define TM_QEMU_UART_STATE (TM_QEMU_UART0 + 0x4u)  // bit0 TX full, bit1 RX full
#define TM_QEMU_UART_CTRL (TM_QEMU_UART0 + 0x8u)   // bit0 TX enable, bit1 RX enable
#define TM_QEMU_UART_BAUDDIV (TM_QEMU_UART0 + 0x10u)

#define TM_QEMU_SYST_CSR 0xE000E010u
#define TM_QEMU_SYST_RVR 0xE000E014u
#define TM_QEMU_SYST_CVR 0xE000E018u
#define TM_QEMU_CPACR 0xE000ED88u

// SysTick runs on the MPS2's 25 MHz system clock (AN386 and AN500 alike)
#define TM_QEMU_TICKS_PER_US 25u

#define TM_QEMU_STACK_PAINT 0xA5A5A5A5u

// Ends QEMU with `status` as its exit code (needs -semihosting-config enable=on).
void tm_qemu_semihost_exit(int status);

#endif  // FIRMWARE_PORTS_QEMU_MPS2_TM_PORT_QEMU_MPS2_H_
