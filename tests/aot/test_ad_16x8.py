"""The AD autoencoder requantized 16x8 from its float source (scripts/ad_16x8.py): the float source is the
int8 model's own arithmetic (each layer's dequantized weights), and the 16x8 model compiled by the AOT
generator equals the TFLM host interpreter on the host build."""

import importlib.util

import numpy as np
import pytest

from tests.aot import c_runner
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _script():
    spec = importlib.util.spec_from_file_location("ad_16x8", REPO / "scripts" / "ad_16x8.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_float_source_is_the_int8_models_arithmetic(mlperf):
    """Layer by layer on the int8 model's own dequantized activations, the float source's dense layer gives
    what the int8 layer gives, within one output step."""
    from toolchain.aot.reader import read_tflite

    ad = _script()
    model = ad.float_source(mlperf.ad)
    g = read_tflite(mlperf.ad)
    rng = np.random.default_rng(0)
    op = g.ops[0]
    x_t, out_t = g.tensors[op.inputs[0]], g.tensors[op.outputs[0]]
    q = rng.integers(-128, 128, (8, x_t.shape[1]))
    x = (q - x_t.zp) * x_t.sc
    dense = model.layers[1]
    y = np.maximum(x @ dense.get_weights()[0] + dense.get_weights()[1], 0)
    w, b = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]]
    acc = (q - x_t.zp) @ w.data.astype(np.int64).T + b.data
    y_int8 = np.clip(np.round(acc * x_t.sc * w.sc / out_t.sc) + out_t.zp, out_t.zp, 127)  # fused ReLU
    assert np.abs(np.clip(np.round(y / out_t.sc) + out_t.zp, -128, 127) - y_int8).max() <= 1


def test_ad_16x8_aot_equals_tflm_host(mlperf, tmp_path):
    from toolchain.optimize.quantize import to_tflite

    ad = _script()
    model = ad.float_source(mlperf.ad)
    tflite = to_tflite(model, "int16x8", ad.samples(50, ad.CALIBRATION_SEED, mlperf.ad))
    case = c_runner.make_case("ad_16x8", tflite, 5, np.random.default_rng(1))
    assert case is not None and case.inputs.dtype == np.int16
    result = c_runner.run(c_runner.build_host([case], tmp_path))
    assert "passed 1 of 1" in result.stdout and result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
