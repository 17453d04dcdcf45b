"""Standalone RELU, RELU6 and LEAKY_RELU: the generated C (host gcc) byte for byte against the TFLM host
interpreter, over random quantizations and alphas."""

import numpy as np

from tests.aot import c_runner, random_models


def test_relu_ops_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(11)
    cases = [c for i in range(24) if (c := c_runner.make_case(f"relu_{i}", random_models.relu(rng), 4, rng))]
    assert len(cases) == 24
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
