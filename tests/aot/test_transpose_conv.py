"""TRANSPOSE_CONV: the generated C (host gcc) byte for byte against the TFLM host interpreter, over random
geometries (SAME and VALID, strides, kernels), quantizations, biases and fused activations."""

import numpy as np

from tests.aot import c_runner, random_models


def test_transpose_conv_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(61)
    cases = [c for i in range(30)
             if (c := c_runner.make_case(f"tconv_{i}", random_models.transpose_conv(rng), 3, rng))]
    assert len(cases) >= 27  # TFLM accepts nearly all (it refuses a few geometries)
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
