// SPDX-License-Identifier: Apache-2.0
// Instruction count of one inference under QEMU -icount shift=0: SysTick on
// the processor clock, calibrated against a loop of known length. Built with
// -DTM_PROFILE it also prints the count per layer.
#include <stdint.h>
#include <stdio.h>

#include "tm_model.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static uint8_t input[1 << 16] __attribute__((aligned(16)));
static uint8_t output[1 << 12] __attribute__((aligned(16)));
static uint32_t layer_ticks[256];
static uint32_t last_tick;

static uint32_t bench_now(void) { return SYST_CVR; }  // counts down

void tm_profile_layer_done(int index) {
  const uint32_t t = bench_now();
  if (index >= 0 && index < 256) layer_ticks[index] += (last_tick - t) & 0xFFFFFFu;
  last_tick = bench_now();
}

// 2 * n instructions: SUBS + BNE per iteration.
static void bench_spin(uint32_t n) {
  __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
}

int main(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5;  // enable, processor clock, no interrupt
  uint32_t seed = 12345;
  const tm_model_info_t *info = tm_model_info();
  for (size_t i = 0; i < info->input_bytes && i < sizeof input; ++i) {
    seed = seed * 1103515245u + 12345u;
    input[i] = (uint8_t)(seed >> 16);
  }
  tm_model_init();
  uint32_t t0 = bench_now();
  bench_spin(1000000);
  const uint32_t cal = (t0 - bench_now()) & 0xFFFFFFu;
  tm_model_invoke(input, output);  // warm-up, also clears the profile below
  for (int i = 0; i < 256; ++i) layer_ticks[i] = 0;
  last_tick = t0 = bench_now();
  tm_model_invoke(input, output);
  const uint32_t ticks = (t0 - bench_now()) & 0xFFFFFFu;
  const double per_tick = 2000000.0 / (double)cal;
  printf("instructions %lu ticks %lu calibration %lu arena %lu\n", (unsigned long)(ticks * per_tick + 0.5),
         (unsigned long)ticks, (unsigned long)cal, (unsigned long)info->arena_bytes);
  for (int i = 0; i < info->layer_count; ++i) {
    printf("layer %d %s %lu\n", i, info->layer_names[i], (unsigned long)(layer_ticks[i] * per_tick + 0.5));
  }
  return 0;
}
