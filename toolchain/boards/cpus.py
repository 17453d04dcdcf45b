"""The CPU table: each fact about a core once. A board file names its core
(`[build] cpu`); compiler flags, the DSP kernels, the cycle counter and the
TFLM build all read the core's row here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Cpu:
    name: str                  # `[build] cpu` in boards/*.toml
    family: str                # "cortex-m" (bare metal), "cortex-a" (Linux) or "xtensa" (its vendor's compiler)
    gcc_cpu: str | None        # GCC's -mcpu (no "f" suffix: the FPU is a separate flag); None: no GCC build here
    fpus: tuple[str, ...]      # `[build] fpu` values the core takes ("none": soft float)
    dsp: bool                  # Arm DSP extension (SMLAD & co.): the AOT DSP kernels, CMSIS-NN in TFLM
    dwt: bool                  # DWT cycle counter, read by the bare-metal port (TM_PORT_DWT)
    tflm_device: str | None    # CMSIS Cortex_DFP device (header and -D name) of a local TFLM build; None: none here


TABLE = {c.name: c for c in (
    Cpu("cortex-m0plus", "cortex-m", "cortex-m0plus", ("none",), dsp=False, dwt=False, tflm_device="ARMCM0plus"),
    Cpu("cortex-m4f", "cortex-m", "cortex-m4", ("fpv4-sp-d16",), dsp=True, dwt=True, tflm_device="ARMCM4"),
    Cpu("cortex-m7", "cortex-m", "cortex-m7", ("fpv5-sp-d16", "fpv5-d16"), dsp=True, dwt=True, tflm_device="ARMCM7"),
    Cpu("cortex-m33", "cortex-m", "cortex-m33", ("none", "fpv5-sp-d16"), dsp=True, dwt=True, tflm_device="ARMCM33"),
    Cpu("cortex-m55", "cortex-m", "cortex-m55", ("none", "fpv5-d16"), dsp=True, dwt=True, tflm_device=None),
    Cpu("xtensa-lx7", "xtensa", None, ("xtensa",), dsp=False, dwt=False, tflm_device=None),
    Cpu("cortex-a72", "cortex-a", "cortex-a72", ("neon-fp-armv8",), dsp=False, dwt=False, tflm_device=None),
    Cpu("cortex-a76", "cortex-a", "cortex-a76", ("neon-fp-armv8",), dsp=False, dwt=False, tflm_device=None),
)}
