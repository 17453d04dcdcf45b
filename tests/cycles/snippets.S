// SPDX-License-Identifier: Apache-2.0
// Hand-written Thumb-2 snippets whose cycles the model's table predicts exactly
// (tests/cycles/test_cycle_model.py). tm_snippets_run calls tm_mark, then
// each snippet followed by tm_mark, so the plugin's totals at consecutive marks
// bound one snippet each, with the same calls and returns around every one.
  .syntax unified
  .thumb
  .fpu fpv4-sp-d16
  .text

  .global tm_mark
  .type tm_mark, %function
  .balign 4
tm_mark:
  bx lr

  .type s_empty, %function
s_empty:
  bx lr

  // 8 loads in a row: the first 2 cycles, the 7 pipelined after it 1 each
  .type s_loads, %function
s_loads:
  ldr r0, [sp]
  ldr r1, [sp, #4]
  ldr r2, [sp, #8]
  ldr r3, [sp, #12]
  ldr r0, [sp, #16]
  ldr r1, [sp, #20]
  ldr r2, [sp, #24]
  ldr r3, [sp, #28]
  bx lr

  // 8 dual 16-bit multiply-accumulates
  .type s_smlad, %function
s_smlad:
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  smlad r0, r1, r2, r0
  bx lr

  // one load multiple of 4 registers
  .type s_ldm, %function
s_ldm:
  ldmia sp, {r0-r3}
  bx lr

  // a conditional branch taken over one instruction
  .type s_taken, %function
s_taken:
  movs r0, #0
  cmp r0, #0
  beq 1f
  nop
1:
  bx lr

  // the same branch not taken
  .type s_untaken, %function
s_untaken:
  movs r0, #1
  cmp r0, #0
  beq 1f
  nop
1:
  bx lr

  // a loop of 4 iterations of 2 loads: 3 taken back-branches, 1 not taken
  .type s_loop, %function
s_loop:
  movs r0, #4
1:
  ldr r1, [sp]
  ldr r2, [sp, #4]
  subs r0, #1
  bne 1b
  bx lr

  // FPU: a load, a multiply-accumulate, an add, a divide
  .type s_fpu, %function
s_fpu:
  vldr s0, [sp]
  vmla.f32 s1, s0, s0
  vadd.f32 s2, s0, s1
  vdiv.f32 s3, s0, s1
  bx lr

  // a double load, a store after a load, a divide, a MAC, PUSH and POP with PC
  .type s_mixed, %function
s_mixed:
  push {r4, lr}
  movs r3, #0
  ldrd r0, r1, [sp]
  ldr r0, [sp]
  str r0, [sp, r3]
  movs r1, #3
  sdiv r0, r0, r1
  mla r0, r1, r1, r0
  pop {r4, pc}

  // a return inside an IT block, its condition false: a conditional branch not taken
  .type s_it, %function
s_it:
  movs r0, #1
  cmp r0, #0
  it eq
  bxeq lr
  bx lr

  .global tm_snippets_run
  .type tm_snippets_run, %function
tm_snippets_run:
  push {r4, lr}
  sub sp, #32
  bl tm_mark
  bl s_empty
  bl tm_mark
  bl s_loads
  bl tm_mark
  bl s_smlad
  bl tm_mark
  bl s_ldm
  bl tm_mark
  bl s_taken
  bl tm_mark
  bl s_untaken
  bl tm_mark
  bl s_loop
  bl tm_mark
  bl s_fpu
  bl tm_mark
  bl s_mixed
  bl tm_mark
  bl s_it
  bl tm_mark
  add sp, #32
  pop {r4, pc}
