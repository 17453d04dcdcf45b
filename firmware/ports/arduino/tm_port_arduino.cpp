// SPDX-License-Identifier: Apache-2.0
// tm_port.h for Arduino cores (mbed nRF52840 and RP2040, STM32duino,
// arduino-esp32): the host link is `Serial` (USB CDC or the debug probe's
// virtual COM port). Ticks are CPU cycles from the DWT counter where the
// core has one (TM_PORT_DWT, set for Cortex-M3/M4/M7/M33/M55 boards), else
// micros().
#include <Arduino.h>

#include "tm_port.h"

#ifndef TM_BOARD
#define TM_BOARD "arduino"
#endif
#ifndef TM_PORT_BAUD
#define TM_PORT_BAUD 115200
#endif

#ifdef TM_PORT_DWT
#define TM_DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define TM_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define TM_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#endif

extern "C" {

void tm_port_init(void) {
  Serial.begin(TM_PORT_BAUD);
  // USB CDC: wait for the host to open the port so the boot banner is not lost
  while (!Serial) {
  }
#ifdef TM_PORT_DWT
  TM_DEMCR |= 1u << 24;  // TRCENA: power the DWT
  TM_DWT_CYCCNT = 0;
  TM_DWT_CTRL |= 1u;     // CYCCNTENA
#endif
}

// Output is sent a line at a time: one USB CDC transfer per byte is slow on
// the mbed cores, and every harness reply ends with a newline.
static uint8_t tm_arduino_line[128];
static size_t tm_arduino_line_len;

static void tm_arduino_flush(void) {
  if (tm_arduino_line_len) Serial.write(tm_arduino_line, tm_arduino_line_len);
  tm_arduino_line_len = 0;
}

void tm_port_putc(char c) {
  tm_arduino_line[tm_arduino_line_len++] = (uint8_t)c;
  if (c == '\n' || tm_arduino_line_len == sizeof tm_arduino_line) tm_arduino_flush();
}

int tm_port_getc(void) {
  tm_arduino_flush();
  while (Serial.available() <= 0) {
  }
  return Serial.read();
}

uint32_t tm_port_ticks(void) {
#ifdef TM_PORT_DWT
  return TM_DWT_CYCCNT;
#else
  return (uint32_t)micros();
#endif
}

uint32_t tm_port_micros(void) {
  return (uint32_t)micros();
}

// Free-running counters have no phase to restart.
void tm_port_ticks_sync(void) {}

const char *tm_port_tick_unit(void) {
#ifdef TM_PORT_DWT
  return "cycles";
#else
  return "us";
#endif
}

void tm_port_spin(uint32_t n) {
  for (volatile uint32_t i = 0; i < n; i++) {
  }
}

// The core owns the stack (an RTOS thread on mbed); it is not painted here.
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
  (void)status;
  tm_arduino_flush();
  Serial.flush();
  for (;;) {
  }
}

}  // extern "C"
