"""RESIZE_NEAREST_NEIGHBOR: the generated C (host gcc) byte for byte against the TFLM host interpreter, over random
sizes (up and down), align_corners and half-pixel centres."""

import numpy as np

from tests.aot import c_runner, random_models


def test_resize_nearest_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(51)
    cases = [c for i in range(30) if (c := c_runner.make_case(f"resize_{i}", random_models.resize_nearest(rng), 3,
                                                                rng))]
    assert len(cases) == 30
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
