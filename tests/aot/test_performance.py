"""Upper bounds on QEMU mps2-an386 (-icount shift=0, DSP kernels):
instructions per inference and arena bytes (model input/output included)
for the MLPerf Tiny models, at -O2 and at -Os (PlatformIO's default)."""

import shutil

import pytest

from tests.aot import qemu_bench

pytestmark = [pytest.mark.qemu, pytest.mark.skipif(
    not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")), reason="no Arm toolchain/QEMU")]


@pytest.mark.parametrize("opt", ["-O2", "-Os"])
@pytest.mark.parametrize("model,max_instructions,max_arena", [
    ("kws_ref_model", 4_500_000, 11_500),
    ("pretrainedResnet_quant", 16_000_000, 35_000),
])
def test_mlperf_targets(model, max_instructions, max_arena, opt, tmp_path, mlperf):
    path = mlperf.path(model)
    r = qemu_bench.measure(path, tmp_path, kernels="dsp", profile=False, opt=opt)
    assert r["instructions"] is not None, r["raw"]
    assert r["instructions"] <= max_instructions
    assert r["arena"] <= max_arena
