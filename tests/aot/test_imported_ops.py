"""SPLIT/SPLIT_V, STRIDED_SLICE, GATHER, RESIZE_NEAREST_NEIGHBOR and PRELU (what converters emit for small
PyTorch models): the generated C byte for byte against the TFLM host interpreter on random shapes, options
and quantizations, on the host (gcc) and on Cortex-M4 (QEMU, DSP build)."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner, random_models

OPS = ["split", "strided_slice", "gather", "resize_nearest", "prelu"]


def _cases(kind: str, n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    gen = random_models.GENERATORS[kind]
    return [c for i in range(n) if (c := c_runner.make_case(f"{kind}_{i}", gen(rng), 3, rng))]


def _check(result, n):
    assert result.returncode == 0 and f"passed {n} of {n}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("kind", OPS)
def test_op_bitexact_with_tflm(kind, tmp_path):
    cases = _cases(kind, 24, seed=OPS.index(kind) + 40)
    assert len(cases) == 24  # TFLM accepted every generated model
    _check(c_runner.run(c_runner.build_host(cases, tmp_path)), len(cases))


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="qemu-system-arm / arm-none-eabi-gcc not installed")
def test_ops_bitexact_on_cortex_m4(tmp_path):
    cases = [c for kind in OPS for c in _cases(kind, 6, seed=OPS.index(kind) + 60)]
    assert len(cases) == 6 * len(OPS)
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels="dsp"), qemu=True), len(cases))
