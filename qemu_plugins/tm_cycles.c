// SPDX-License-Identifier: Apache-2.0
// A QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts the Thumb-2
// instructions a Cortex-M guest executes, sorted into the timing classes of
// toolchain/cycles/timing.py. The cycles per class live in Python, so one run
// gives estimates for every core and board.
//
// How it stays cheap: each translation block is decoded once, when QEMU
// translates it, into a histogram of classes; at run time the block only adds
// 1 to its own execution counter (one inline add, no callback). Totals are
// sums of executions x histograms, computed when asked.
//
// Taken conditional branches: a block ending in a conditional branch falls
// through to the next address when the branch is not taken, so the blocks
// entered at that address count the not-taken exits (at most the branch
// block's own executions). This overcounts "not taken" only when the
// fall-through address is also jumped to from elsewhere.
//
// Arguments (-plugin libtm_cycles.so,out=FILE,mark=ADDR[,exact=on]):
//   out   file to append one line of totals to at every mark and at exit
//   mark  guest address (hex) of an instruction; each time it executes, a line
//         "mark <instructions> <count per class...>" is written to `out`.
//   exact follow every block with a callback and count taken conditional
//         branches from the block that really ran next: slower, it checks the
//         fall-through rule above (tests and docs/benchmarks.md compare both).
// At exit the same line starts with "exit".
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_cycles_classes.h"

// The few declarations of QEMU's plugin API v1 this plugin uses, written from
// its documented signatures (Debian packages no qemu-plugin.h).
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
extern const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
extern size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                                     uint64_t imm);
extern void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                                 enum qemu_plugin_cb_flags flags, void *userdata);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                                   enum qemu_plugin_cb_flags flags, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

// One translated block: its execution counter (the inline add's target) and
// what one execution of it costs, by class.
typedef struct {
  uint64_t execs;
  uint32_t pc;          // first instruction
  uint32_t fallthrough; // address after a final conditional branch, else 0
  uint32_t insns;
  uint64_t taken;       // exact mode: executions whose next block was not the fall-through
  uint16_t counts[TM_CYCLES_CLASSES];
} tm_cycles_block_t;

// Blocks live in fixed chunks that never move: QEMU keeps pointers to `execs`.
#define TM_CYCLES_CHUNK 4096
typedef struct tm_cycles_chunk {
  tm_cycles_block_t blocks[TM_CYCLES_CHUNK];
  size_t used;
  struct tm_cycles_chunk *next;
} tm_cycles_chunk_t;

static tm_cycles_chunk_t *tm_cycles_chunks;
static size_t tm_cycles_nblocks;
static FILE *tm_cycles_out;
static uint64_t tm_cycles_mark = UINT64_MAX;
static int tm_cycles_exact;
static tm_cycles_block_t *tm_cycles_previous;  // exact mode: the block that ran last

static tm_cycles_block_t *tm_cycles_new_block(void) {
  if (!tm_cycles_chunks || tm_cycles_chunks->used == TM_CYCLES_CHUNK) {
    tm_cycles_chunk_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->next = tm_cycles_chunks;
    tm_cycles_chunks = c;
  }
  tm_cycles_nblocks++;
  return &tm_cycles_chunks->blocks[tm_cycles_chunks->used++];
}

// ---- decoding: one instruction -> its class (ARMv7-M ARM, Thumb encodings, chapter A5)

// What the decoder remembers from the previous instruction of the block.
typedef struct {
  int load_rt;    // destination of a single load that a next load/store can pipeline after, else -1
  int it_left;    // instructions left in the current IT block
} tm_cycles_state_t;

typedef struct {
  int cls;           // the main class
  int regs;          // registers moved by a multiple transfer
  int branch;        // 0 none, 1 always taken, 2 conditional
  int table;         // TBB/TBH
  int load_rt;       // single load destination (pipelining), else -1
  int base, offset;  // address registers of a single load/store, -1 when none
  int store_reg;     // single store with a register offset
} tm_cycles_insn_t;

static int tm_cycles_popcount(uint32_t x) {
  return __builtin_popcount(x);
}

static void tm_cycles_decode16(uint32_t h, tm_cycles_insn_t *d) {
  if ((h >> 10) == 0x10) {  // 010000: data processing; MUL is opcode 1101
    d->cls = ((h >> 6) & 0xF) == 0xD ? TM_CYCLES_MUL : TM_CYCLES_ALU;
  } else if ((h >> 10) == 0x11) {  // 010001: special data, BX/BLX
    unsigned op = (h >> 8) & 3, rd = ((h >> 4) & 8) | (h & 7);
    if (op == 3) d->branch = 1;
    else if (op != 1 && rd == 15) d->branch = 1;  // ADD PC / MOV PC
  } else if ((h >> 11) == 0x09) {  // LDR literal
    d->cls = TM_CYCLES_LOAD, d->load_rt = (h >> 8) & 7, d->base = 15;
  } else if ((h >> 12) == 0x5) {  // load/store register offset
    unsigned op = (h >> 9) & 7;
    d->base = (h >> 3) & 7, d->offset = (h >> 6) & 7;
    if (op <= 2) d->cls = TM_CYCLES_STORE_REG, d->store_reg = 1;
    else d->cls = TM_CYCLES_LOAD, d->load_rt = h & 7;
  } else if ((h >> 13) == 0x3 || (h >> 12) == 0x8 || (h >> 12) == 0x9) {  // immediate offset, SP-relative
    int sp = (h >> 12) == 0x9;
    d->base = sp ? 13 : (int)((h >> 3) & 7);
    if (h & 0x0800) d->cls = TM_CYCLES_LOAD, d->load_rt = sp ? (h >> 8) & 7 : h & 7;
    else d->cls = TM_CYCLES_STORE_IMM;
  } else if ((h >> 12) == 0xB) {  // miscellaneous
    if ((h & 0x0600) == 0x0400) {  // PUSH 1011010x, POP 1011110x
      d->cls = TM_CYCLES_MULTIPLE, d->regs = tm_cycles_popcount(h & 0x1FF);
      if ((h & 0x0800) && (h & 0x0100)) d->branch = 1;  // POP {..., PC}
    } else if ((h & 0x0500) == 0x0100) {  // CBZ, CBNZ
      d->branch = 2;
    }
  } else if ((h >> 12) == 0xC) {  // LDM, STM
    d->cls = TM_CYCLES_MULTIPLE, d->regs = tm_cycles_popcount(h & 0xFF);
  } else if ((h >> 12) == 0xD) {  // B<c>, SVC, UDF
    if (((h >> 8) & 0xF) < 0xE) d->branch = 2;
  } else if ((h >> 11) == 0x1C) {  // B
    d->branch = 1;
  }
}

static void tm_cycles_decode_fp(uint32_t h1, uint32_t h2, tm_cycles_insn_t *d) {
  unsigned coproc = (h2 >> 8) & 0xF;
  if ((coproc & 0xE) != 0xA) return;  // not the FPU: leave it ALU
  if ((h1 & 0x0E00) == 0x0C00) {  // extension register load/store, 64-bit transfers
    unsigned op = (h1 >> 4) & 0x1F;
    if ((op & 0x1E) == 0x04) d->cls = TM_CYCLES_FP;  // VMOV two core registers
    else if ((op & 0x12) == 0x10) d->cls = TM_CYCLES_FP_LOAD;  // VLDR, VSTR
    else d->cls = TM_CYCLES_MULTIPLE, d->regs = h2 & 0xFF;  // VLDM/VSTM/VPUSH/VPOP: imm8 words
    return;
  }
  d->cls = TM_CYCLES_FP;
  if ((h1 & 0x0F00) != 0x0E00 || (h2 & 0x10)) return;  // core<->FPU transfers, VMRS, VMSR
  unsigned opc1 = ((h1 >> 5) & 4) | ((h1 >> 4) & 3), opc3 = (h2 >> 6) & 3;
  if (opc1 == 0 || opc1 == 1 || opc1 == 5 || opc1 == 6) d->cls = TM_CYCLES_FP_MAC;
  else if (opc1 == 4) d->cls = TM_CYCLES_FP_DIVIDE;
  else if (opc1 == 7 && (h1 & 0xF) == 1 && opc3 == 3) d->cls = TM_CYCLES_FP_DIVIDE;  // VSQRT
}

static void tm_cycles_decode32(uint32_t h1, uint32_t h2, tm_cycles_insn_t *d) {
  unsigned op1 = (h1 >> 11) & 3, op2 = (h1 >> 4) & 0x7F;
  if (op1 == 1) {
    if ((op2 & 0x64) == 0x00) {  // load/store multiple
      d->cls = TM_CYCLES_MULTIPLE, d->regs = tm_cycles_popcount(h2 & 0xFFFF);
      if ((h1 & 0x10) && (h2 & 0x8000)) d->branch = 1;
    } else if ((op2 & 0x64) == 0x04) {  // load/store dual, exclusive, table branch
      unsigned a = (h1 >> 7) & 3, b = (h1 >> 4) & 3, c = (h2 >> 4) & 0xF;
      if (a == 0 && b < 2) {  // STREX, LDREX
        d->cls = b ? TM_CYCLES_LOAD : TM_CYCLES_STORE_IMM, d->base = h1 & 0xF;
        if (b) d->load_rt = (h2 >> 12) & 0xF;
      } else if (a == 1 && b == 1 && c < 2) {  // TBB, TBH
        d->branch = 1, d->table = 1;
      } else if (a == 1 && b < 2) {  // exclusive byte/halfword
        d->cls = b ? TM_CYCLES_LOAD : TM_CYCLES_STORE_IMM, d->base = h1 & 0xF;
      } else {
        d->cls = TM_CYCLES_LOAD_STORE_DOUBLE;
      }
    } else if (op2 & 0x40) {
      tm_cycles_decode_fp(h1, h2, d);
    }
  } else if (op1 == 2) {
    if ((h2 & 0x8000) && (h2 & 0x1000)) d->branch = 1;  // B.W, BL
    else if ((h2 & 0xD000) == 0x8000 && ((h1 >> 6) & 0xE) != 0xE) d->branch = 2;  // B<c>.W
  } else if (op1 == 3) {
    if ((op2 & 0x71) == 0x00) {  // store single
      d->base = h1 & 0xF;
      if ((h1 & 0x80) || (h2 & 0x800)) d->cls = TM_CYCLES_STORE_IMM;
      else d->cls = TM_CYCLES_STORE_REG, d->store_reg = 1, d->offset = h2 & 0xF;
    } else if ((op2 & 0x67) == 0x01 || (op2 & 0x67) == 0x03 || (op2 & 0x67) == 0x05) {  // loads
      unsigned rt = (h2 >> 12) & 0xF;
      d->base = h1 & 0xF;
      if (!(h1 & 0x80) && !(h2 & 0x800) && d->base != 15) d->offset = h2 & 0xF;
      if (rt == 15 && (op2 & 0x67) != 0x05) {
        d->cls = TM_CYCLES_ALU, d->base = d->offset = -1;  // PLD, PLI: hints
      } else {
        d->cls = TM_CYCLES_LOAD;
        if (rt == 15) d->branch = 1;  // LDR PC
        else d->load_rt = rt;
      }
    } else if ((op2 & 0x78) == 0x30) {  // multiply, multiply accumulate, absolute difference
      unsigned op = (h1 >> 4) & 7, ra = (h2 >> 12) & 0xF;
      if (op == 0) d->cls = ((h2 >> 4) & 3) == 0 && ra == 15 ? TM_CYCLES_MUL : TM_CYCLES_MUL_ACC;
      else d->cls = TM_CYCLES_MUL_DSP;
    } else if ((op2 & 0x78) == 0x38) {  // long multiply, long MAC, divide
      unsigned op = (h1 >> 4) & 7;
      d->cls = (op == 1 || op == 3) ? TM_CYCLES_DIVIDE : TM_CYCLES_MUL_LONG;
    } else if (op2 & 0x40) {
      tm_cycles_decode_fp(h1, h2, d);
    }
  }
}

// Decodes the instruction at `bytes` and adds it to `b`; returns its branch kind.
static int tm_cycles_add_insn(tm_cycles_block_t *b, const uint8_t *bytes, size_t size, tm_cycles_state_t *s) {
  uint32_t h1 = bytes[0] | (uint32_t)bytes[1] << 8;
  tm_cycles_insn_t d = {TM_CYCLES_ALU, 0, 0, 0, -1, -1, -1, 0};
  int in_it = s->it_left > 0;
  if (size == 4) tm_cycles_decode32(h1, bytes[2] | (uint32_t)bytes[3] << 8, &d);
  else tm_cycles_decode16(h1, &d);
  if (in_it) s->it_left--;
  if (size == 2 && (h1 & 0xFF00) == 0xBF00 && (h1 & 0xF)) s->it_left = 4 - __builtin_ctz(h1 & 0xF);
  // §3.3.2 pipelining: after a single load whose result is not this access's address
  int follows_load = s->load_rt >= 0 && d.base != s->load_rt && d.offset != s->load_rt;
  if (d.cls == TM_CYCLES_LOAD && follows_load && !d.branch) d.cls = TM_CYCLES_LOAD_PIPELINED;
  else if (d.cls == TM_CYCLES_STORE_REG && follows_load) d.cls = TM_CYCLES_STORE_PIPELINED;
  s->load_rt = (d.cls == TM_CYCLES_LOAD || d.cls == TM_CYCLES_LOAD_PIPELINED) && !d.branch ? d.load_rt : -1;
  // a load or POP that writes the PC costs its transfer + P (Table 3-1), with no branch cycle of its own
  if (d.branch && d.cls == TM_CYCLES_ALU) d.cls = TM_CYCLES_BRANCH;
  if (d.table) b->counts[TM_CYCLES_TABLE_BRANCH]++;
  b->counts[d.cls]++;
  b->counts[TM_CYCLES_MULTIPLE_REG] += d.regs;
  b->insns++;
  if (d.branch == 1 && in_it) return 2;  // a branch in an IT block is conditional
  return d.branch;
}

// ---- totals

typedef struct {
  uint32_t pc;
  uint64_t entries;  // executions of blocks starting at pc
  uint64_t cond;     // executions of conditional-branch blocks falling through to pc
} tm_cycles_slot_t;

static tm_cycles_slot_t *tm_cycles_slot(tm_cycles_slot_t *tab, size_t mask, uint32_t pc) {
  size_t i = (pc * 2654435761u) & mask;
  while (tab[i].pc != pc && tab[i].pc != UINT32_MAX) i = (i + 1) & mask;
  tab[i].pc = pc;
  return &tab[i];
}

// Writes "<tag> <instructions> <count per class>" to the output file.
static void tm_cycles_report(const char *tag) {
  uint64_t insns = 0, counts[TM_CYCLES_CLASSES] = {0};
  size_t cap = 16;
  while (cap < 2 * tm_cycles_nblocks + 16) cap <<= 1;
  tm_cycles_slot_t *tab = malloc(cap * sizeof *tab);
  if (!tab || !tm_cycles_out) return;
  memset(tab, 0xFF, cap * sizeof *tab);
  for (size_t i = 0; i < cap; i++) tab[i].entries = tab[i].cond = 0;
  for (tm_cycles_chunk_t *c = tm_cycles_chunks; c; c = c->next) {
    for (size_t k = 0; k < c->used; k++) {
      const tm_cycles_block_t *b = &c->blocks[k];
      if (!b->execs) continue;
      insns += b->execs * b->insns;
      for (int j = 0; j < TM_CYCLES_CLASSES; j++) counts[j] += b->execs * b->counts[j];
      tm_cycles_slot(tab, cap - 1, b->pc)->entries += b->execs;
      if (b->fallthrough) tm_cycles_slot(tab, cap - 1, b->fallthrough)->cond += b->execs;
    }
  }
  uint64_t taken = 0;
  for (size_t i = 0; i < cap && !tm_cycles_exact; i++) {
    if (tab[i].cond) taken += tab[i].cond - (tab[i].entries < tab[i].cond ? tab[i].entries : tab[i].cond);
  }
  for (tm_cycles_chunk_t *c = tm_cycles_chunks; c && tm_cycles_exact; c = c->next) {
    for (size_t k = 0; k < c->used; k++) taken += c->blocks[k].taken;
  }
  counts[TM_CYCLES_REFILL] += taken;
  free(tab);
  fprintf(tm_cycles_out, "%s %" PRIu64, tag, insns);
  for (int j = 0; j < TM_CYCLES_CLASSES; j++) fprintf(tm_cycles_out, " %" PRIu64, counts[j]);
  fputc('\n', tm_cycles_out);
  fflush(tm_cycles_out);
}

static void tm_cycles_on_block(unsigned int vcpu, void *userdata) {
  (void)vcpu;
  tm_cycles_block_t *b = userdata;
  if (tm_cycles_previous && tm_cycles_previous->fallthrough && b->pc != tm_cycles_previous->fallthrough) {
    tm_cycles_previous->taken++;
  }
  tm_cycles_previous = b;
}

static void tm_cycles_on_mark(unsigned int vcpu, void *userdata) {
  (void)vcpu, (void)userdata;
  tm_cycles_report("mark");
}

static void tm_cycles_on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  tm_cycles_block_t *b = tm_cycles_new_block();
  tm_cycles_state_t s = {-1, 0};
  b->pc = (uint32_t)qemu_plugin_tb_vaddr(tb);
  uint32_t last_word = UINT32_MAX;
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint32_t pc = (uint32_t)qemu_plugin_insn_vaddr(insn);
    size_t size = qemu_plugin_insn_size(insn);
    for (uint32_t w = pc >> 2; w <= (uint32_t)((pc + size - 1) >> 2); w++) {
      if (w != last_word) b->counts[TM_CYCLES_FETCH_WORD]++, last_word = w;
    }
    int branch = tm_cycles_add_insn(b, qemu_plugin_insn_data(insn), size, &s);
    if (branch == 1) b->counts[TM_CYCLES_REFILL]++;
    if (branch == 2 && i == n - 1) b->fallthrough = pc + (uint32_t)size;
    if (pc == tm_cycles_mark) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, tm_cycles_on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
  }
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->execs, 1);
  if (tm_cycles_exact) qemu_plugin_register_vcpu_tb_exec_cb(tb, tm_cycles_on_block, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void tm_cycles_on_exit(qemu_plugin_id_t id, void *userdata) {
  (void)id, (void)userdata;
  tm_cycles_report("exit");
  if (tm_cycles_out) fclose(tm_cycles_out);
  tm_cycles_out = NULL;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0) {
      tm_cycles_out = fopen(argv[i] + 4, "a");
      if (!tm_cycles_out) return -1;
    } else if (strncmp(argv[i], "mark=", 5) == 0) {
      tm_cycles_mark = strtoull(argv[i] + 5, NULL, 16);
    } else if (strcmp(argv[i], "exact=on") == 0) {
      tm_cycles_exact = 1;
    } else {
      return -1;
    }
  }
  if (!tm_cycles_out) return -1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, tm_cycles_on_translate);
  qemu_plugin_register_atexit_cb(id, tm_cycles_on_exit, NULL);
  return 0;
}
