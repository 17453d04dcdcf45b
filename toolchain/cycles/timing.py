"""Timing classes of the cycle model and what each costs on each core.

The QEMU plugin (qemu_plugins/tm_cycles.c) only sorts instructions into these
classes and counts them; the cycles per class live here, once, and the C gets
the class numbers from `header()`. One run on QEMU therefore gives estimates
for every core and board without running again.

Cortex-M4 costs: Arm Cortex-M4 Technical Reference Manual (DDI 0439B),
§3.3.1 Table 3-1 "Cortex-M4 instruction set summary" (integer, DSP), §3.3.2
"Load/store timings" (pipelined loads and stores) and §7.2.3 Table 7-1
"FPU instruction set" (floating point). `P`, the pipeline refill of a taken
branch, is 1 to 3 cycles there; the model takes 2, the middle.

Cortex-M7: its TRM (DDI 0489) publishes no per-instruction cycle table (it is
a dual-issue core with a branch predictor), so it has no costs of its own here:
`core_costs("cortex-m7")` raises, and a Cortex-M7 board gets no estimate.
"""

from dataclasses import dataclass

from toolchain.cycles.errors import EstimateError


@dataclass(frozen=True)
class TimingClass:
    name: str
    what: str


# the order is the plugin's counter order: append only, never reorder
CLASSES: tuple[TimingClass, ...] = (
    TimingClass("alu", "data processing, moves, compares, shifts, saturation, IT, hints"),
    TimingClass("load", "single load (LDR, LDRB, LDRH, LDRSB, LDRSH, LDREX, literal)"),
    TimingClass("load_pipelined", "single load right after a single load whose result it does not address with"),
    TimingClass("store_imm", "single store with an immediate offset"),
    TimingClass("store_reg", "single store with a register offset"),
    TimingClass("store_pipelined", "single store with a register offset right after a single load"),
    TimingClass("load_store_double", "LDRD, STRD"),
    TimingClass("multiple", "LDM, STM, PUSH, POP, VLDM, VSTM, VPUSH, VPOP: the fixed part"),
    TimingClass("multiple_reg", "one per 32-bit register moved by those"),
    TimingClass("mul", "MUL"),
    TimingClass("mul_acc", "MLA, MLS"),
    TimingClass("mul_long", "SMULL, UMULL, SMLAL, UMLAL"),
    TimingClass("mul_dsp", "SMLAD, SMUAD, SMLABB and the other halfword and dual MACs, SMMUL, USADA8"),
    TimingClass("divide", "SDIV, UDIV"),
    TimingClass("branch", "every branch, taken or not"),
    TimingClass("refill", "the pipeline refill of a taken branch (unconditional, or conditional and taken)"),
    TimingClass("table_branch", "TBB, TBH: the extra cycle of the table read"),
    TimingClass("fp", "VADD, VSUB, VMUL, VABS, VNEG, VCVT, VCMP, VMOV, VMRS, VMSR"),
    TimingClass("fp_mac", "VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS"),
    TimingClass("fp_divide", "VDIV, VSQRT"),
    TimingClass("fp_load", "VLDR, VSTR"),
    TimingClass("fetch_word", "32-bit instruction words fetched (wait states apply to these)"),
)
NAMES = tuple(c.name for c in CLASSES)

# cycles per class on a zero-wait-state Cortex-M4 (DDI 0439B, tables cited in the module docstring)
CORTEX_M4 = {
    "alu": 1,                 # Table 3-1: MOV, ADD, logic, shift, compare, SSAT, IT: 1
    "load": 2,                # Table 3-1: LDR, LDRH, LDRB, LDRSB, LDRSH: 2
    "load_pipelined": 1,      # §3.3.2: a next LDR/STR not addressed by the loaded register saves a cycle
    "store_imm": 1,           # §3.3.2: STR Rx,[Ry,#imm] is always one cycle
    "store_reg": 2,           # Table 3-1: STR 2
    "store_pipelined": 1,     # §3.3.2: STR can only be pipelined when it follows an LDR
    "load_store_double": 3,   # Table 3-1: LDRD, STRD 1 + N with N = 2
    "multiple": 1,            # Table 3-1: LDM, STM, PUSH, POP 1 + N; Table 7-1: VLDM, VSTM, VPUSH, VPOP 1 + N
    "multiple_reg": 1,        # the N
    "mul": 1,                 # Table 3-1: MUL 1
    "mul_acc": 1,             # Table 3-1: MLA, MLS 1 (single-cycle MAC on the M4, unlike the M3)
    "mul_long": 1,            # Table 3-1: SMULL, UMULL, SMLAL, UMLAL 1
    "mul_dsp": 1,             # Table 3-1: SMLAD, SMUAD, SMLA<x><y>, SMLAL<x><y>, SMMUL, USADA8 1
    "divide": 7,              # Table 3-1: SDIV, UDIV 2 to 12, depending on the operands: the mean
    "branch": 1,              # Table 3-1: B, BL, BX, CBZ 1 (+ P when taken)
    "refill": 2,              # Table 3-1 notes: P is 1 to 3 cycles: the middle
    "table_branch": 1,        # Table 3-1: TBB, TBH 2 + P, one more than a branch
    "fp": 1,                  # Table 7-1: VADD, VSUB, VMUL, VABS, VNEG, VCVT, VCMP, VMOV 1
    "fp_mac": 3,              # Table 7-1: VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS 3
    "fp_divide": 14,          # Table 7-1: VDIV, VSQRT 14
    "fp_load": 2,             # Table 7-1: VLDR, VSTR 2
    "fetch_word": 0,          # no wait states; a board's flash adds its own (see `costs`)
}

CORES = {"cortex-m4f": CORTEX_M4}

NOT_MODELLED = ("caches and their misses; wait states of data read from flash (weights in .rodata); "
                "bus contention between fetch and data (LDR Rx,[PC,#imm] may take a cycle more); "
                "divide operand values (the mean is used); where in 1-3 cycles a refill falls; "
                "folding of IT and NOP; interrupts and their stacking")


def core_costs(cpu: str) -> dict[str, int]:
    """Cycles per class on `cpu` (a boards/*.toml [build] cpu) with zero wait states."""
    if cpu not in CORES:
        raise EstimateError(f"no cycle model for a {cpu} core: the model has Cortex-M4 timings only",
                            "estimate for a Cortex-M4 board (see `toolchain boards`)")
    return CORES[cpu]


def costs(cpu: str, flash_wait_states: int, cache: str) -> dict[str, int]:
    """Cycles per class on `cpu` fetching code from flash with `flash_wait_states`; a cache or accelerator
    ("none" when there is none) is taken to hide every wait state."""
    c = dict(core_costs(cpu))
    if cache == "none":
        c["fetch_word"] = flash_wait_states
    return c


def cycles(counts: dict[str, int], cost: dict[str, int]) -> int:
    return sum(n * cost[name] for name, n in counts.items())


def header() -> str:
    """The C header of class numbers the plugin includes, generated from CLASSES."""
    lines = ["// Generated by toolchain/cycles/timing.py: do not edit.", "#ifndef TM_CYCLES_CLASSES_H_",
             "#define TM_CYCLES_CLASSES_H_", "", "enum tm_cycles_class {"]
    lines += [f"  TM_CYCLES_{c.name.upper()},  // {c.what}" for c in CLASSES]
    lines += ["  TM_CYCLES_CLASSES", "};", "", "#endif  // TM_CYCLES_CLASSES_H_", ""]
    return "\n".join(lines)
