// SPDX-License-Identifier: Apache-2.0
// Validation builds only (-DTM_VALIDATE, `toolchain validate`): every layer's
// output goes back to the host as the layer finishes, straight from the
// runtime's memory, so no copy of any tensor is kept on the device.
// `validate%` sends, per layer, an m-tensor- line and the bytes as m-hex- lines;
// `validate file PATH%` the m-tensor- lines only, the bytes appended to the host
// file PATH (tm_port_write_file, QEMU semihosting). Then m-validate- and the
// inference's m-results-/m-check- lines (the commands and the lines' bodies:
// toolchain/harness_protocol.py).
#ifdef TM_VALIDATE

#include <stddef.h>
#include <stdint.h>

#include "tm_harness.h"
#include "tm_harness_io.h"
#include "tm_model.h"
#include "tm_port.h"
#include "tm_protocol.h"

static int tm_validate_active;
static const char *tm_validate_path;  // host file the bytes go to, or NULL: m-hex- lines
static int tm_validate_file_failed;
static uint32_t tm_validate_layers;
static uint32_t tm_validate_bytes;

static void tm_validate_put_hex(const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  tm_harness_io_puts(TM_REPLY_HEX "[");
  for (size_t i = 0; i < n; i++) {
    tm_port_putc(digits[p[i] >> 4]);
    tm_port_putc(digits[p[i] & 15]);
  }
  tm_harness_io_puts("]\n");
}

void tm_validate_layer_done(int index, const void *output, size_t bytes) {
  const uint8_t *p = (const uint8_t *)output;
  if (!tm_validate_active) return;
  tm_harness_io_puts(TM_REPLY_TENSOR "[");
  tm_harness_io_put_u32((uint32_t)index);
  tm_port_putc(',');
  tm_harness_io_put_u32((uint32_t)bytes);
  tm_port_putc(',');
  tm_harness_io_put_u32(tm_harness_io_fletcher16(p, bytes));
  tm_harness_io_puts("]\n");
  if (tm_validate_path) {
    if (!tm_validate_file_failed &&
        tm_port_write_file(tm_validate_path, p, bytes, tm_validate_layers > 0) != (int32_t)bytes) {
      tm_validate_file_failed = 1;
    }
  } else {
    for (size_t i = 0; i < bytes; i += TM_VALIDATE_HEX_BYTES) {
      tm_validate_put_hex(p + i, bytes - i < TM_VALIDATE_HEX_BYTES ? bytes - i : TM_VALIDATE_HEX_BYTES);
    }
  }
  tm_validate_layers++;
  tm_validate_bytes += (uint32_t)bytes;
}

void tm_harness_validate(const char *path, int (*invoke)(void)) {
  if (path && !tm_port_write_file) {
    tm_harness_io_line(TM_REPLY_ERROR, "validate file: this port cannot write host files");
    return;
  }
  tm_validate_path = path;
  tm_validate_file_failed = 0;
  tm_validate_layers = 0;
  tm_validate_bytes = 0;
  tm_validate_active = 1;
  int status = invoke();
  tm_validate_active = 0;
  if (status) {
    tm_harness_io_line(TM_REPLY_ERROR, "invoke failed");
    return;
  }
  if (tm_validate_file_failed) tm_harness_io_line(TM_REPLY_ERROR, "validate file: cannot write the host file");
  tm_harness_io_puts(TM_REPLY_VALIDATE "[");
  tm_harness_io_put_u32(tm_validate_layers);
  tm_port_putc(',');
  tm_harness_io_put_u32(tm_validate_bytes);
  tm_harness_io_puts("]\n");
}

#endif  // TM_VALIDATE
