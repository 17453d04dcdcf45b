"""PRELU: the generated C (host gcc) byte for byte against the TFLM host interpreter, over random quantizations
of input, slopes and output, and slopes per channel, per trailing block or shared."""

import numpy as np

from tests.aot import c_runner, random_models


def test_prelu_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(41)
    cases = [c for i in range(30) if (c := c_runner.make_case(f"prelu_{i}", random_models.prelu(rng), 4, rng))]
    assert len(cases) == 30
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
