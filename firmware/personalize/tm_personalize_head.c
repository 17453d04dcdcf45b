// SPDX-License-Identifier: Apache-2.0
// The head's own commands of a personalization build: `head reset`, `head
// read` (m-hex- lines), `head load N` with `head data HEX` lines, and `head
// save` (rows of toolchain/harness_protocol.py). The head starts as the
// factory head, or as the one the port kept (tm_port_restore) when it holds
// one of this firmware's layout. Helpers the learning commands share
// (tm_personalize.h).
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tm_harness_io.h"
#include "tm_head.h"
#include "tm_personalize.h"
#include "tm_port.h"
#include "tm_protocol.h"

#define TM_PERSONALIZE_MAGIC 0x48454144u  // "HEAD": a saved head, ahead of its bytes

tm_head_t tm_personalize_head;
static int tm_personalize_ready;
static int tm_personalize_custom;  // the head is not the factory one: inference decides with it
static size_t tm_personalize_loading;  // bytes `head load` still expects (0: none)
static size_t tm_personalize_loaded;

void tm_personalize_error(const char *reason) {
  tm_harness_io_line(TM_REPLY_ERROR, reason);
}

void tm_personalize_error_n(const char *before, uint32_t n, const char *after) {
  tm_harness_io_puts(TM_REPLY_ERROR "[");
  tm_harness_io_puts(before);
  tm_harness_io_put_u32(n);
  tm_harness_io_puts(after);
  tm_harness_io_puts("]\n");
}

void tm_personalize_put_hex(const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    tm_port_putc(digits[p[i] >> 4]);
    tm_port_putc(digits[p[i] & 15]);
  }
}

// The factory head, or the one the port kept (`head save%`) when it holds one for this layout.
static void tm_personalize_start(void) {
  uint32_t saved[2];
  if (tm_personalize_ready) return;
  tm_head_reset(&tm_personalize_head);
  if (tm_port_restore && tm_port_restore(saved, sizeof saved, 0) == 0 && saved[0] == TM_PERSONALIZE_MAGIC &&
      saved[1] == sizeof tm_personalize_head) {
    // straight into the live head (no second copy on the stack); the factory head again if it does not hold up
    if (tm_port_restore(&tm_personalize_head, sizeof tm_personalize_head, sizeof saved) != 0 ||
        tm_personalize_head.classes < TM_HEAD_CLASSES || tm_personalize_head.classes > TM_HEAD_MAX_CLASSES) {
      tm_head_reset(&tm_personalize_head);
    } else {
      tm_personalize_custom = 1;
    }
  }
  tm_personalize_ready = 1;
}

const tm_head_t *tm_personalize_current(void) {
  tm_personalize_start();
  return tm_personalize_custom && !tm_personalize_loading ? &tm_personalize_head : NULL;
}

void tm_personalize_changed(void) {
  tm_personalize_custom = 1;
}

// Whether the head can be used now; the error printed when it cannot.
int tm_personalize_head_ok(const char *command) {
  tm_personalize_start();
  if (!tm_personalize_loading) return 1;
  tm_harness_io_puts(TM_REPLY_ERROR "[");
  tm_harness_io_puts(command);
  tm_harness_io_puts(": head load is incomplete: send its remaining ");
  tm_harness_io_put_u32((uint32_t)tm_personalize_loading);
  tm_harness_io_puts(" bytes, or " TM_USAGE_HEAD_RESET "]\n");
  return 0;
}

static void tm_personalize_put_head(void) {
  tm_harness_io_puts(TM_REPLY_HEAD "[");
  tm_harness_io_put_u32(tm_personalize_head.classes);
  tm_port_putc(',');
  tm_harness_io_put_u32((uint32_t)sizeof tm_personalize_head);
  tm_harness_io_puts("]\n");
}

void tm_personalize_head_reset(const char *args) {
  (void)args;
  tm_personalize_start();
  tm_personalize_loading = 0;
  tm_personalize_custom = 0;
  tm_head_reset(&tm_personalize_head);
  tm_personalize_put_head();
}

void tm_personalize_head_read(const char *args) {
  (void)args;
  if (!tm_personalize_head_ok(TM_CMD_HEAD_READ)) return;
  const uint8_t *p = (const uint8_t *)&tm_personalize_head;
  tm_personalize_put_head();
  for (size_t i = 0; i < sizeof tm_personalize_head; i += TM_VALIDATE_HEX_BYTES) {
    size_t left = sizeof tm_personalize_head - i;
    size_t n = left < TM_VALIDATE_HEX_BYTES ? left : TM_VALIDATE_HEX_BYTES;
    tm_harness_io_puts(TM_REPLY_HEX "[");
    tm_personalize_put_hex(p + i, n);
    tm_harness_io_puts("]\n");
  }
}

void tm_personalize_head_load(const char *args) {
  int32_t n = tm_harness_io_parse_u31(&args);
  tm_personalize_start();
  if (n < 0 || *args) {
    tm_personalize_error("head load needs the head's byte count: " TM_USAGE_HEAD_LOAD);
  } else if ((size_t)n != sizeof tm_personalize_head) {
    tm_personalize_error_n("head load: this firmware's head is ", (uint32_t)sizeof tm_personalize_head, " bytes");
  } else {
    tm_personalize_loading = (size_t)n;
    tm_personalize_loaded = 0;
    tm_harness_io_puts(TM_REPLY_MESSAGE "[Expecting ");
    tm_harness_io_put_u32((uint32_t)n);
    tm_harness_io_puts(" bytes]\n");
  }
}

void tm_personalize_head_data(const char *hex) {
  uint8_t bytes[TM_HARNESS_DB_MAX_BYTES];
  int32_t n = tm_harness_io_parse_hex(hex, bytes, sizeof bytes);
  if (!tm_personalize_loading) {
    tm_personalize_error("head data: send " TM_USAGE_HEAD_LOAD " first");
  } else if (n < 0 || (size_t)n > tm_personalize_loading) {
    tm_personalize_error_n("head data: expected hex pairs, at most ", TM_HARNESS_DB_MAX_BYTES,
                           " bytes a line and no more than announced");
  } else {
    memcpy((uint8_t *)&tm_personalize_head + tm_personalize_loaded, bytes, (size_t)n);
    tm_personalize_loaded += (size_t)n;
    tm_personalize_loading -= (size_t)n;
    if (tm_personalize_loading) return;
    if (tm_personalize_head.classes < TM_HEAD_CLASSES || tm_personalize_head.classes > TM_HEAD_MAX_CLASSES) {
      tm_head_reset(&tm_personalize_head);
      tm_personalize_custom = 0;
      tm_personalize_error("head data: the loaded head's class count is out of range: the factory head is back");
      return;
    }
    tm_personalize_custom = 1;
    tm_personalize_put_head();
  }
}

void tm_personalize_head_save(const char *args) {
  (void)args;
  if (!tm_personalize_head_ok(TM_CMD_HEAD_SAVE)) return;
  uint32_t header[2] = {TM_PERSONALIZE_MAGIC, (uint32_t)sizeof tm_personalize_head};
  if (!tm_port_save) {
    tm_personalize_error("head save: this port keeps nothing across resets: " TM_USAGE_HEAD_READ
                         " and, after the reset, " TM_USAGE_HEAD_LOAD);
  } else if (tm_port_save(header, sizeof header, &tm_personalize_head, sizeof tm_personalize_head)) {
    tm_personalize_error("head save: the port could not write its flash page");
  } else {
    tm_personalize_put_head();
  }
}

