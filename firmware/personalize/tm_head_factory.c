// SPDX-License-Identifier: Apache-2.0
// The factory head back in RAM (tm_head.h: tm_head_reset): the generated
// configuration holds it in either twin's word, so one copy serves both.
#include <string.h>

#include "tm_head.h"

void tm_head_reset(tm_head_t *h) {
  memset(h, 0, sizeof *h);
  memcpy(h->w, tm_head_factory_w, sizeof tm_head_factory_w);
  memcpy(h->b, tm_head_factory_b, sizeof tm_head_factory_b);
  h->classes = TM_HEAD_CLASSES;
}
