"""toolchain/boards/cpus.py: every board's core has a row, and each Cortex-M
row agrees with the compiler about its -mcpu, FPUs and DSP extension."""

import shutil
import subprocess

import pytest

from toolchain.boards import all_boards, cpus

CORTEX_M = [c for c in cpus.TABLE.values() if c.family == "cortex-m"]


def test_every_board_names_a_core_of_the_table():
    for b in all_boards():
        assert b.core is cpus.TABLE[b.cpu] and b.fpu in b.core.fpus and b.dsp == b.core.dsp


def _macros(flags: list[str]) -> set[str]:
    out = subprocess.run(["arm-none-eabi-gcc", *flags, "-mthumb", "-dM", "-E", "-x", "c", "-"], input="",
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.startswith("#define ")}


@pytest.mark.skipif(not shutil.which("arm-none-eabi-gcc"), reason="no Arm toolchain")
@pytest.mark.parametrize("cpu", CORTEX_M, ids=lambda c: c.name)
def test_cortex_m_rows_match_the_compiler(cpu):
    for fpu in cpu.fpus:
        abi = ["-mfloat-abi=soft"] if fpu == "none" else [f"-mfpu={fpu}", "-mfloat-abi=hard"]
        macros = _macros([f"-mcpu={cpu.gcc_cpu}", *abi])
        assert ("__ARM_FEATURE_DSP" in macros) == cpu.dsp
        assert ("__ARM_FP" in macros) == (fpu != "none")
    # the DWT cycle counter comes with the v7-M/v8-M main profile, not with v6-M (M0+)
    assert ("__ARM_ARCH_6M__" not in _macros([f"-mcpu={cpu.gcc_cpu}"])) == cpu.dwt
