// SPDX-License-Identifier: Apache-2.0
// Just enough of the Arduino core API for a syntax check of the Arduino port
// and the generated main.cpp; never linked.
#ifndef TESTS_REALBOARDS_STUBS_ARDUINO_H_
#define TESTS_REALBOARDS_STUBS_ARDUINO_H_

#include <stddef.h>
#include <stdint.h>

class HardwareSerialStub {
 public:
  void begin(unsigned long baud);
  explicit operator bool() const;
  size_t write(uint8_t c);
  size_t write(const uint8_t *buffer, size_t size);
  int available();
  int read();
  void flush();
};

extern HardwareSerialStub Serial;
unsigned long micros(void);

#endif  // TESTS_REALBOARDS_STUBS_ARDUINO_H_
