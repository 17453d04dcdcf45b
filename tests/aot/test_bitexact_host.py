"""Bit-exactness of the generated C + portable kernels (host gcc) against the
TFLM host interpreter, byte for byte."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner
from tests.aot import random_models

MLPERF = ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8"]
PER_KIND = 30


def _check(result):
    assert result.returncode == 0 and "passed" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("model", MLPERF)
def test_mlperf_model_bitexact(model, tmp_path, mlperf):
    path = mlperf.path(model)
    rng = np.random.default_rng(7)
    case = c_runner.make_case(model, path.read_bytes(), 8, rng)
    assert case is not None
    _check(c_runner.run(c_runner.build_host([case], tmp_path)))


def random_cases(seed: int, per_kind: int, samples: int = 3) -> list:
    rng = np.random.default_rng(seed)
    cases = []
    for kind, gen in random_models.GENERATORS.items():
        for i in range(per_kind):
            case = c_runner.make_case(f"{kind}_{seed}_{i}", gen(rng), samples, rng)
            if case is not None:
                cases.append(case)
    return cases


@pytest.mark.slow  # 420 random models through the compiler and a host C build
def test_random_models_bitexact(tmp_path):
    cases = random_cases(seed=2024, per_kind=PER_KIND)
    assert len(cases) >= 0.9 * PER_KIND * len(random_models.GENERATORS)  # TFLM accepted nearly all
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    _check(result)
    assert f"passed {len(cases)} of {len(cases)}" in result.stdout


def test_harness_detects_a_wrong_output(tmp_path):
    """The comparison itself can fail: flip one reference byte."""
    case = random_cases(seed=5, per_kind=1)[0]
    case.expected = case.expected.copy()
    flat = case.expected.reshape(-1).view(np.uint8)
    flat[0] ^= 1
    result = c_runner.run(c_runner.build_host([case], tmp_path))
    assert result.returncode == 1 and "passed 0 of 1" in result.stdout
    shutil.rmtree(tmp_path, ignore_errors=True)
