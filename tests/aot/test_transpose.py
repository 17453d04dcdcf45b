"""TRANSPOSE: the generated C (host gcc) byte for byte against the TFLM host interpreter, random ranks 2-4 and
permutations."""

import numpy as np

from tests.aot import c_runner, random_models


def test_transpose_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(12)
    cases = [c for i in range(16) if (c := c_runner.make_case(f"transpose_{i}", random_models.transpose(rng), 3, rng))]
    assert len(cases) == 16
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
