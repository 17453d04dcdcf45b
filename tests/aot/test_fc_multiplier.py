"""int8 FULLY_CONNECTED's per-tensor multiplier against the TFLM host interpreter. The product of the
input and weight scales rounds differently in float32 and in double; for scales where the two Q31
multipliers differ, the test picks biases whose sums requantize to different outputs under the two,
so the AOT host build agrees with TFLM only if it took the same product."""

import numpy as np
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from tests.aot import c_runner
from tests.aot.tflite_builder import ModelBuilder
from toolchain.aot import quant

SCALES = st.floats(1e-3, 1e-2).map(lambda v: float(np.float32(v)))


def _splitting_biases(in_scale: float, w_scale: float, out_scale: float, n: int = 16) -> list:
    """Up to n biases b such that requantizing b + 1 gives different int8 outputs under the float32
    and the double product's multiplier (input 1 times weight 1 plus b is the sum)."""
    prod32 = np.float64(np.float32(in_scale) * np.float32(w_scale))
    m32, s32 = quant.quantize_multiplier(float(prod32 / np.float64(out_scale)))
    m64, s64 = quant.quantize_multiplier(in_scale * w_scale / out_scale)
    real = in_scale * w_scale / out_scale
    found = []
    for k in range(-120, 120):  # sums near the rounding boundaries of outputs k and k + 1
        centre = int((k + 0.5) / real)
        found += [acc - 1 for acc in range(centre - 4, centre + 5)
                  if quant.requantize(acc, m32, s32) != quant.requantize(acc, m64, s64)]
    return found[:n]


def _fc_model(in_scale: float, w_scale: float, out_scale: float, biases: list) -> bytes:
    mb = ModelBuilder()
    n = len(biases)
    x = mb.tensor([1, 1], "int8", in_scale, 0)
    w = mb.tensor([n, 1], "int8", [w_scale], [0], np.ones((n, 1), np.int64))
    b = mb.tensor([n], "int32", [float(np.float32(in_scale) * np.float32(w_scale))], [0], np.array(biases))
    y = mb.tensor([1, n], "int8", out_scale, 0)
    mb.op("FULLY_CONNECTED", [x, w, b], [y], fused_activation_function=0)
    return mb.build([x], [y])


# No shrinking: each example compiles a C build, and a failing one is already small.
@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(in_scale=SCALES, w_scale=SCALES, out_scale=st.floats(0.5, 2.0).map(lambda v: float(np.float32(v))))
def test_fc_multiplier_matches_tflm_where_float32_and_double_differ(tmp_path, in_scale, w_scale, out_scale):
    biases = _splitting_biases(in_scale, w_scale, out_scale)
    assume(biases)
    model = _fc_model(in_scale, w_scale, out_scale, biases)
    inputs = np.array([1, 1, 1], np.int8).reshape(-1, 1, 1)
    expected = c_runner.tflm_outputs(model, inputs)
    assert expected is not None
    case = c_runner.Case("fc_multiplier", model, inputs, expected)
    result = c_runner.run(c_runner.build_host([case], tmp_path))
    assert "passed 1 of 1" in result.stdout, result.stdout[-2000:]
