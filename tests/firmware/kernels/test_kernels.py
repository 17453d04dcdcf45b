"""Kernel tests: the portable kernels (host gcc, QEMU) and the DSP twins
(QEMU Cortex-M4) against the header-only reference math and against the
per-op golden tables (TFLM host interpreter outputs, testdata/), and the DSP
requantization against the reference one."""

import shutil
import subprocess
from pathlib import Path

import pytest

from toolchain.aot import runtime_include_dirs, runtime_sources

HERE = Path(__file__).parent
CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
FLAGS = ["-O2", "-std=c99", "-Wall", "-Werror", f"-I{HERE}"] + [f"-I{d}" for d in runtime_include_dirs()]
QEMU = ["qemu-system-arm", "-machine", "mps2-an386", "-nographic", "-semihosting-config",
        "enable=on,target=native", "-icount", "shift=0", "-kernel"]
needs_qemu = pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                                reason="no Arm toolchain/QEMU")


def _run_qemu(sources: list[Path], tmp_path: Path) -> subprocess.CompletedProcess:
    exe = tmp_path / "test.elf"
    subprocess.run(["arm-none-eabi-gcc"] + FLAGS + CPU + [str(s) for s in sources]
                   + [str(HERE / "qemu" / "startup.c"), "-T", str(HERE / "qemu" / "mps2_an386.ld"), "-nostartfiles",
                      "--specs=rdimon.specs", "-lm", "-o", str(exe)], check=True)
    return subprocess.run(QEMU + [str(exe)], capture_output=True, text=True, timeout=300)


def test_portable_kernels_match_reference_on_host(tmp_path):
    exe = tmp_path / "kernels"
    subprocess.run(["gcc"] + FLAGS + [str(HERE / "kernels_test.c")] + [str(s) for s in runtime_sources("portable")]
                   + ["-lm", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "kernels ok" in out.stdout, out.stdout + out.stderr


@needs_qemu
@pytest.mark.qemu
@pytest.mark.parametrize("kernels", ["dsp", "portable"])
def test_kernels_match_reference_on_cortex_m4(kernels, tmp_path):
    out = _run_qemu([HERE / "kernels_test.c"] + runtime_sources(kernels), tmp_path)
    assert out.returncode == 0 and "kernels ok" in out.stdout, out.stdout + out.stderr


@needs_qemu
@pytest.mark.qemu
def test_dsp_requantize_matches_reference(tmp_path):
    out = _run_qemu([HERE / "requantize_test.c"], tmp_path)
    assert out.returncode == 0 and "requantize ok" in out.stdout, out.stdout + out.stderr


def test_golden_tables_on_host(tmp_path):
    exe = tmp_path / "golden"
    subprocess.run(["gcc"] + FLAGS + [str(HERE / "golden_test.c")] + [str(s) for s in runtime_sources("portable")]
                   + ["-lm", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "golden ok 136" in out.stdout, out.stdout + out.stderr


@needs_qemu
@pytest.mark.qemu
@pytest.mark.parametrize("kernels", ["dsp", "portable"])
def test_golden_tables_on_cortex_m4(kernels, tmp_path):
    out = _run_qemu([HERE / "golden_test.c"] + runtime_sources(kernels), tmp_path)
    assert out.returncode == 0 and "golden ok 136" in out.stdout, out.stdout + out.stderr


def test_golden_tables_are_current(tmp_path):
    """The checked-in tables are what golden.py makes today (a changed weight
    layout or lowering must regenerate them: python tests/firmware/kernels/golden.py)."""
    from tests.firmware.kernels import golden
    for path in golden.write(tmp_path):
        assert path.read_text() == (HERE / "testdata" / path.name).read_text(), f"{path.name} is stale"
