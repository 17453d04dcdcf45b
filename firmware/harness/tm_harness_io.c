// SPDX-License-Identifier: Apache-2.0
#include "tm_harness_io.h"

#include "tm_port.h"

void tm_harness_io_puts(const char *s) {
  while (*s) tm_port_putc(*s++);
}

void tm_harness_io_put_u32(uint32_t v) {
  char buf[11];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  while (n) tm_port_putc(buf[--n]);
}

void tm_harness_io_put_i32(int32_t v) {
  if (v < 0) {
    tm_port_putc('-');
    tm_harness_io_put_u32((uint32_t)(-(int64_t)v));
  } else {
    tm_harness_io_put_u32((uint32_t)v);
  }
}

void tm_harness_io_put_float(float f) {
  // double arithmetic: the 9 printed digits must not lose the float's value
  double v = f;
  if (v != v) {
    tm_harness_io_puts("nan");
    return;
  }
  if (v < 0) {
    tm_port_putc('-');
    v = -v;
  }
  if (v == 0.0) {
    tm_port_putc('0');
    return;
  }
  if (v > 3.4e38) {
    tm_harness_io_puts("inf");
    return;
  }
  int exp10 = 0;
  while (v >= 10.0) {
    v /= 10.0;
    exp10++;
  }
  while (v < 1.0) {
    v *= 10.0;
    exp10--;
  }
  uint32_t digits = (uint32_t)(v * 1e8 + 0.5);
  if (digits >= 1000000000u) {
    digits /= 10u;
    exp10++;
  }
  tm_port_putc((char)('0' + digits / 100000000u));
  tm_port_putc('.');
  uint32_t rest = digits % 100000000u;
  for (uint32_t div = 10000000u; div; div /= 10u) tm_port_putc((char)('0' + (rest / div) % 10u));
  tm_port_putc('e');
  tm_harness_io_put_i32(exp10);
}

void tm_harness_io_line(const char *prefix, const char *body) {
  tm_harness_io_puts(prefix);
  tm_port_putc('[');
  tm_harness_io_puts(body);
  tm_harness_io_puts("]\n");
}

void tm_harness_io_list(const char *prefix, const uint32_t *values, size_t n) {
  tm_harness_io_puts(prefix);
  tm_port_putc('[');
  for (size_t i = 0; i < n; i++) {
    if (i) tm_port_putc(',');
    tm_harness_io_put_u32(values[i]);
  }
  tm_harness_io_puts("]\n");
}

int32_t tm_harness_io_parse_u31(const char **s) {
  const char *p = *s;
  int64_t v = 0;
  if (*p < '0' || *p > '9') return -1;
  while (*p >= '0' && *p <= '9') {
    v = v * 10 + (*p++ - '0');
    if (v > INT32_MAX) return -1;
  }
  *s = p;
  return (int32_t)v;
}

static int tm_harness_io_hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int32_t tm_harness_io_parse_hex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  while (*s) {
    int hi = tm_harness_io_hex_digit(s[0]);
    int lo = hi < 0 ? -1 : tm_harness_io_hex_digit(s[1]);
    if (lo < 0 || n >= cap) return -1;
    out[n++] = (uint8_t)(hi << 4 | lo);
    s += 2;
  }
  return (int32_t)n;
}

uint16_t tm_harness_io_fletcher16(const uint8_t *data, size_t n) {
  uint32_t a = 0, b = 0;
  for (size_t i = 0; i < n; i++) {
    a = (a + data[i]) % 255u;
    b = (b + a) % 255u;
  }
  return (uint16_t)(b << 8 | a);
}
