"""Bit-exactness on Cortex-M4F (QEMU mps2-an386): the same random models and
the MLPerf models, built with arm-none-eabi-gcc against the DSP twins (and
the portable kernels), outputs compared with the TFLM host interpreter."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner
from tests.aot.test_bitexact_host import MLPERF, random_cases

pytestmark = [pytest.mark.qemu, pytest.mark.skipif(
    not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
    reason="qemu-system-arm / arm-none-eabi-gcc not installed")]


def _check(result, n):
    assert f"passed {n} of {n}" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0


@pytest.mark.slow  # hundreds of random models built and run on QEMU
@pytest.mark.parametrize("kernels,per_kind", [("dsp", 20), ("portable", 5)])
def test_random_models_bitexact_on_cortex_m4(kernels, per_kind, tmp_path):
    cases = random_cases(seed=99 if kernels == "dsp" else 98, per_kind=per_kind)
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels=kernels), qemu=True), len(cases))


def test_mlperf_models_bitexact_on_cortex_m4(tmp_path, mlperf):
    rng = np.random.default_rng(11)
    cases = [c_runner.make_case(m, mlperf.path(m).read_bytes(), 4, rng) for m in MLPERF]
    if not cases:
        pytest.skip("MLPerf models not present")
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels="dsp"), qemu=True), len(cases))
