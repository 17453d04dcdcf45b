"""The DSP requantization equals the reference one, on Cortex-M4 under QEMU."""

import shutil
import subprocess
from pathlib import Path

import pytest

from toolchain.aot import runtime_include_dirs

HERE = Path(__file__).parent
CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]

pytestmark = [pytest.mark.qemu, pytest.mark.skipif(
    not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")), reason="no Arm toolchain/QEMU")]


def test_dsp_requantize_matches_reference(tmp_path):
    exe = tmp_path / "requantize.elf"
    subprocess.run(["arm-none-eabi-gcc", "-O2", "-std=c99", "-Wall", "-Werror"] + CPU
                   + [f"-I{d}" for d in runtime_include_dirs()]
                   + [str(HERE / "requantize_test.c"), str(HERE / "qemu" / "startup.c"),
                      "-T", str(HERE / "qemu" / "mps2_an386.ld"), "-nostartfiles", "--specs=rdimon.specs",
                      "-o", str(exe)], check=True)
    out = subprocess.run(["qemu-system-arm", "-machine", "mps2-an386", "-nographic", "-semihosting-config",
                          "enable=on,target=native", "-icount", "shift=0", "-kernel", str(exe)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "requantize ok" in out.stdout, out.stdout + out.stderr
