"""The CPU table: each fact about a core once. A board file names its core
(`[build] cpu`); compiler flags, the DSP kernels, the cycle counter and the
TFLM build all read the core's row here."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cpu:
    name: str                  # `[build] cpu` in boards/*.toml
    family: str                # "cortex-m" (bare metal), "cortex-a" (Linux) or "xtensa" (its vendor's compiler)
    gcc_cpu: str | None        # GCC's -mcpu (no "f" suffix: the FPU is a separate flag); None: no GCC build here
    fpus: tuple[str, ...]      # `[build] fpu` values the core takes ("none": soft float)
    dsp: bool                  # Arm DSP extension (SMLAD & co.): the AOT DSP kernels, CMSIS-NN in TFLM
    dwt: bool                  # DWT cycle counter, read by the bare-metal port (TM_PORT_DWT)
    tflm_device: str | None    # CMSIS Cortex_DFP device (header and -D name) of a local TFLM build; None: none here
    # cycles per timing class of the QEMU cycle model (toolchain/cycles/timing.py) with zero wait states;
    # None: no published per-instruction timings to price with
    cycles: dict[str, int] | None = field(default=None, hash=False, compare=False)


# Arm Cortex-M4 Technical Reference Manual (DDI 0439B): §3.3.1 Table 3-1 "Cortex-M4 instruction set summary",
# §3.3.2 "Load/store timings", §7.2.3 Table 7-1 "FPU instruction set". P, the refill of a taken branch, is 1 to 3
# cycles there: the middle is taken. The Cortex-M7's TRM (DDI 0489) publishes no such table.
CORTEX_M4_CYCLES = {
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
    "fetch_word": 0,          # no wait states; a board's flash adds its own
}


TABLE = {c.name: c for c in (
    Cpu("cortex-m0plus", "cortex-m", "cortex-m0plus", ("none",), dsp=False, dwt=False, tflm_device="ARMCM0plus"),
    Cpu("cortex-m4f", "cortex-m", "cortex-m4", ("fpv4-sp-d16",), dsp=True, dwt=True, tflm_device="ARMCM4",
        cycles=CORTEX_M4_CYCLES),
    Cpu("cortex-m7", "cortex-m", "cortex-m7", ("fpv5-sp-d16", "fpv5-d16"), dsp=True, dwt=True, tflm_device="ARMCM7"),
    Cpu("cortex-m33", "cortex-m", "cortex-m33", ("none", "fpv5-sp-d16"), dsp=True, dwt=True, tflm_device="ARMCM33"),
    Cpu("cortex-m55", "cortex-m", "cortex-m55", ("none", "fpv5-d16"), dsp=True, dwt=True, tflm_device=None),
    Cpu("xtensa-lx7", "xtensa", None, ("xtensa",), dsp=False, dwt=False, tflm_device=None),
    Cpu("cortex-a72", "cortex-a", "cortex-a72", ("neon-fp-armv8",), dsp=False, dwt=False, tflm_device=None),
    Cpu("cortex-a76", "cortex-a", "cortex-a76", ("neon-fp-armv8",), dsp=False, dwt=False, tflm_device=None),
)}
