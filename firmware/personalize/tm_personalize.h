// SPDX-License-Identifier: Apache-2.0
// What the personalization commands share (firmware/personalize/): the live
// head (kept by tm_personalize_head.c) and the error and hex helpers.
#ifndef FIRMWARE_PERSONALIZE_TM_PERSONALIZE_H_
#define FIRMWARE_PERSONALIZE_TM_PERSONALIZE_H_

#include <stddef.h>
#include <stdint.h>

#include "tm_head.h"

extern tm_head_t tm_personalize_head;

// The head when it is personalised (trained, imprinted, loaded or restored since the last reset) and
// whole (no `head load` under way); NULL while the factory head answers.
const tm_head_t *tm_personalize_current(void);

// Marks the head personalised (after train, imprint or a completed load).
void tm_personalize_changed(void);

// Whether the head can be used now (started at the first use); the e-[...] line printed when it cannot.
int tm_personalize_head_ok(const char *command);

// e-[reason] and e-[<before><n><after>].
void tm_personalize_error(const char *reason);
void tm_personalize_error_n(const char *before, uint32_t n, const char *after);

// The `n` bytes at `p` as hex digits (no brackets, no newline).
void tm_personalize_put_hex(const uint8_t *p, size_t n);

#endif  // FIRMWARE_PERSONALIZE_TM_PERSONALIZE_H_
