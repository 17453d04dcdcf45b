"""The runtime's C: the kernels' sources for a variant (portable, or the DSP
twins from kernels/dsp/ where they exist) and its include folders."""

from pathlib import Path

from toolchain import harness_protocol
from toolchain.aot.errors import AotError
from toolchain.paths import FIRMWARE

RUNTIME = FIRMWARE / "runtime"
KERNEL_VARIANTS = ("portable", "dsp")


def runtime_sources(kernels: str = "portable") -> list[Path]:
    """The runtime C files to compile with the generated model.c.

    "dsp" (Cortex-M4/M7/M33/M55 with the DSP extension) swaps in the twins from
    kernels/dsp/ that exist; the rest stay portable. The build needs no define.
    """
    if kernels not in KERNEL_VARIANTS:
        raise AotError(f"unknown kernel variant '{kernels}'", f"use one of {', '.join(KERNEL_VARIANTS)}")
    portable = sorted((RUNTIME / "kernels").glob("*.c"))
    if kernels == "portable":
        return portable
    return [RUNTIME / "kernels" / "dsp" / p.name if (RUNTIME / "kernels" / "dsp" / p.name).exists() else p
            for p in portable]


def runtime_include_dirs() -> list[Path]:
    """Include directories for the runtime and the generated code (tm_model.h, kernels/, reference/, and the
    generated tm_dtype.h that tm_model.h includes)."""
    return [RUNTIME, harness_protocol.header_dir()]
