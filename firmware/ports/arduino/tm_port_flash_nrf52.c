// SPDX-License-Identifier: Apache-2.0
// tm_port_save / tm_port_restore on the nRF52840 (Arduino Nano 33 BLE): one
// 4 KB flash page of this image's own, erased and written word by word
// through the NVMC (nRF52840 Product Specification, "NVMC - Non-volatile
// memory controller": CONFIG selects read, write or erase; ERASEPAGE takes a
// page's address; READY is 1 when an operation is done). The page is a
// page-aligned array in flash, so nothing else of the image or the core's
// storage can sit there. Built where TM_PORT_FLASH_NRF52 is defined
// (toolchain/build/personalize_sources.py, for personalization builds).
#ifdef TM_PORT_FLASH_NRF52

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tm_port.h"

#define TM_NVMC_READY (*(volatile uint32_t *)0x4001E400u)
#define TM_NVMC_CONFIG (*(volatile uint32_t *)0x4001E504u)
#define TM_NVMC_ERASEPAGE (*(volatile uint32_t *)0x4001E508u)
#define TM_NVMC_READ 0u
#define TM_NVMC_WRITE 1u
#define TM_NVMC_ERASE 2u
#define TM_FLASH_PAGE 4096u

__attribute__((aligned(TM_FLASH_PAGE), used)) static const uint32_t tm_flash_page[TM_FLASH_PAGE / 4] = {
    0xffffffffu};  // the first word erased: nothing kept until a save

static void tm_flash_wait(void) {
  while (!TM_NVMC_READY) {
  }
}

// Words from `src` into the page from word `at`; the page must be erased there.
static size_t tm_flash_write(size_t at, const void *src, size_t n) {
  const uint8_t *p = (const uint8_t *)src;
  volatile uint32_t *page = (volatile uint32_t *)tm_flash_page;
  for (size_t i = 0; i < n; i += 4) {
    uint32_t w = 0xffffffffu;
    memcpy(&w, p + i, n - i < 4 ? n - i : 4);
    page[at++] = w;
    tm_flash_wait();
  }
  return at;
}

int tm_port_save(const void *header, size_t header_bytes, const void *data, size_t n) {
  if ((header_bytes & 3u) || header_bytes + n > TM_FLASH_PAGE) return -1;
  tm_flash_wait();
  TM_NVMC_CONFIG = TM_NVMC_ERASE;
  TM_NVMC_ERASEPAGE = (uint32_t)(uintptr_t)tm_flash_page;
  tm_flash_wait();
  TM_NVMC_CONFIG = TM_NVMC_WRITE;
  tm_flash_write(tm_flash_write(0, header, header_bytes), data, n);
  TM_NVMC_CONFIG = TM_NVMC_READ;
  return 0;
}

int tm_port_restore(void *dst, size_t n, size_t offset) {
  const volatile uint8_t *page = (const volatile uint8_t *)tm_flash_page;
  if (offset + n > TM_FLASH_PAGE || ((const volatile uint32_t *)tm_flash_page)[0] == 0xffffffffu) return -1;
  for (size_t i = 0; i < n; i++) ((uint8_t *)dst)[i] = page[offset + i];
  return 0;
}

#endif  // TM_PORT_FLASH_NRF52
