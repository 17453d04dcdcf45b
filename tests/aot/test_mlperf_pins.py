"""Instruction counts of the four MLPerf Tiny models pinned to within 2 % on
QEMU mps2-an386 (Cortex-M4F, DSP kernels, -O2, -icount shift=0; one
inference on the first seeded random input, tests/aot/c/bench_model.c), so a
kernel regression (or an unannounced gain) shows in CI. The models come from
the `mlperf` fixture. A deliberate change re-pins the figures with the measured value."""

import shutil

import pytest

from tests.aot import qemu_bench

TOLERANCE = 0.02

# model -> (instructions per inference, arena bytes including the model input/output)
PINS = {
    "kws_ref_model": (3_112_080, 11_072),
    "pretrainedResnet_quant": (12_680_240, 26_336),
    "vww_96_int8": (9_617_360, 39_312),
    "ad01_int8": (383_320, 768),
}

pytestmark = [pytest.mark.slow, pytest.mark.qemu, pytest.mark.skipif(
    not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")), reason="no Arm toolchain/QEMU")]


@pytest.mark.parametrize("model", PINS)
def test_mlperf_instruction_count_pinned(model, tmp_path, mlperf):
    path = mlperf.path(model)
    instructions, arena = PINS[model]
    r = qemu_bench.measure(path, tmp_path, kernels="dsp", profile=False)
    assert r["instructions"] is not None, r["raw"]
    assert abs(r["instructions"] - instructions) <= TOLERANCE * instructions, \
        f"{model}: {r['instructions']:,} instructions, pinned at {instructions:,} (+-2 %)"
    assert r["arena"] == arena
