"""HARD_SWISH: the table made at compile time (toolchain/aot/lower_hard_swish.py), run by the generated C (host
gcc), byte for byte against the TFLM host interpreter on every int8 input code, over random quantizations."""

import numpy as np

from tests.aot import c_runner, random_models
from tests.aot.tflite_builder import ModelBuilder


def _every_code(rng, model: bytes, name: str):
    """A case whose inputs hold all 256 int8 codes (the model's input has at least 256 elements)."""
    case = c_runner.make_case(name, model, 1, rng)
    codes = np.resize(np.arange(-128, 128, dtype=np.int8), case.inputs.size).reshape(case.inputs.shape)
    case.inputs, case.expected = codes, c_runner.tflm_outputs(model, codes)
    return case


def test_hard_swish_bitexact_with_tflm(tmp_path):
    rng = np.random.default_rng(31)
    cases = []
    for i, in_scale in enumerate(np.exp(np.linspace(np.log(1e-3), np.log(0.5), 24))):
        mb = ModelBuilder()
        x = mb.tensor([1, 16, 16], "int8", float(in_scale), int(rng.integers(-128, 128)))
        y = mb.tensor([1, 16, 16], "int8", float(in_scale * rng.uniform(0.3, 2)), int(rng.integers(-128, 60)))
        mb.op("HARD_SWISH", [x], [y])
        cases.append(_every_code(rng, mb.build([x], [y]), f"hard_swish_{i}"))
    cases += [c for i in range(8) if (c := c_runner.make_case(f"hs_rand_{i}", random_models.hard_swish(rng), 3, rng))]
    assert len(cases) == 32
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]
