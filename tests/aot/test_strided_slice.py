"""STRIDED_SLICE: the generated C (host gcc) byte for byte against the TFLM host interpreter, over random ranks,
begins and ends (negative, out of range), strides (negative too), masks and shrunk axes."""

import numpy as np

from tests.aot import c_runner, random_models


def test_strided_slice_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(71)
    cases = [c for i in range(40)
             if (c := c_runner.make_case(f"slice_{i}", random_models.strided_slice(rng), 3, rng))]
    assert len(cases) >= 36  # TFLM accepts nearly all
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
