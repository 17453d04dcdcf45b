"""Unsupported models fail with one AotError that names the op, the layer,
the tensor types and what to do."""

import numpy as np
import pytest

from tests.aot.tflite_builder import ModelBuilder
from toolchain.aot import AotError, compile_tflite


def _write(tmp_path, data):
    path = tmp_path / "m.tflite"
    path.write_bytes(data)
    return path


def test_unsupported_op_names_op_layer_types_and_remedy(tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([1, 4], "int8", 0.1, 0)
    y = mb.tensor([1, 4], "int8", 0.1, 0)
    z = mb.tensor([1, 4], "int8", 0.1, 0)
    mb.op("ABS", [x], [y])
    mb.op("RELU", [y], [z])
    with pytest.raises(AotError) as e:
        compile_tflite(_write(tmp_path, mb.build([x], [z])), tmp_path)
    msg = str(e.value)
    assert "layer 0" in msg and "ABS" in msg and "int8" in msg and "--runtime tflm" in msg


def test_float_conv_is_refused_with_quantization_hint(tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([1, 4, 4, 1], "float32")
    w = mb.tensor([2, 3, 3, 1], "float32", data=np.ones((2, 3, 3, 1)))
    y = mb.tensor([1, 4, 4, 2], "float32")
    mb.op("CONV_2D", [x, w, -1], [y], padding=0, stride_w=1, stride_h=1, dilation_w_factor=1, dilation_h_factor=1)
    with pytest.raises(AotError) as e:
        compile_tflite(_write(tmp_path, mb.build([x], [y])), tmp_path)
    assert "layer 0 (CONV_2D, inputs float32" in str(e.value) and "quantize" in str(e.value)


def test_softmax_with_foreign_output_quantization(tmp_path):
    mb = ModelBuilder()
    x = mb.tensor([1, 4], "int8", 0.1, 0)
    y = mb.tensor([1, 4], "int8", 0.1, 0)
    mb.op("SOFTMAX", [x], [y], beta=1.0)
    with pytest.raises(AotError, match="SOFTMAX.*scale 0.00390625"):
        compile_tflite(_write(tmp_path, mb.build([x], [y])), tmp_path)


def test_two_inputs_are_refused(tmp_path):
    mb = ModelBuilder()
    a, b = mb.tensor([1, 4], "int8", 0.1, 0), mb.tensor([1, 4], "int8", 0.1, 0)
    y = mb.tensor([1, 4], "int8", 0.2, 0)
    mb.op("ADD", [a, b], [y], fused_activation_function=0)
    with pytest.raises(AotError, match="exactly one"):
        compile_tflite(_write(tmp_path, mb.build([a, b], [y])), tmp_path)
