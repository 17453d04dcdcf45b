"""The lowering against ONNX Runtime: same float outputs, channels last on the device, no TRANSPOSE."""

import numpy as np
import onnx
import pytest

from tests.importer.onnx_models import conv_net
from toolchain import modelinfo
from toolchain.importer import read, to_device_layout, to_keras
from toolchain.importer.parity import onnxruntime_outputs
from toolchain.optimize.quantize import to_tflite


@pytest.mark.parametrize("nhwc_input", [False, True])
def test_conv_net_matches_onnxruntime_without_transpose(tmp_path, nhwc_input):
    path = tmp_path / "net.onnx"
    onnx.save(conv_net(batch=1, nhwc_input=nhwc_input), str(path))
    model = read(path)
    converted = to_keras(model)
    # NCHW in: the device holds NHWC; an NHWC model (tf2onnx's Transpose first) stays as it is
    assert converted.input_perm == ((0, 1, 2, 3) if nhwc_input else (0, 2, 3, 1))
    assert converted.device_input_shape == (1, 8, 8, 3)
    assert set(converted.folded) == {"bn1"}
    x = np.random.default_rng(1).normal(size=(16, *model.input_shape[1:])).astype(np.float32)
    x_device = to_device_layout(x, model.input_shape, converted.input_perm)
    ours = converted.keras_model.predict(x_device, verbose=0)
    reference = onnxruntime_outputs(model, x)
    assert np.max(np.abs(ours - reference)) < 1e-4 * max(1.0, np.abs(reference).max())
    info = modelinfo.summarize(to_tflite(converted.keras_model, "int8", x_device))
    assert "TRANSPOSE" not in info.ops
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"} <= set(info.ops)
