"""Models made by the real TF converter (full-integer PTQ), including float
I/O with QUANTIZE/DEQUANTIZE at the edges, bit-exact with TFLM."""

import numpy as np
import pytest

from tests.aot import c_runner

pytestmark = pytest.mark.slow


def _convert(model, shape, int8_io: bool) -> bytes:
    import tensorflow as tf

    rng = np.random.default_rng(0)

    def data():
        for _ in range(16):
            yield [rng.normal(0, 1, (1,) + shape).astype(np.float32)]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = data
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if int8_io:
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    return conv.convert()


def _models():
    import tf_keras as keras
    L = keras.layers
    keras.utils.set_random_seed(1)
    cnn = keras.Sequential([
        L.Input((16, 16, 3)), L.Conv2D(8, 3, padding="same", activation="relu"), L.MaxPool2D(2),
        L.DepthwiseConv2D(3, padding="same", activation="relu6"), L.Conv2D(16, 1, activation="relu"),
        L.AveragePooling2D(2), L.Flatten(), L.Dense(10), L.Softmax()])
    inp = L.Input((8, 8, 4))
    x = L.Conv2D(4, 5, padding="same")(inp)  # dilation converts to SPACE_TO_BATCH_ND: unsupported
    y = L.Conv2D(4, 3, strides=2, padding="valid", activation="tanh")(inp)
    x = L.Add()([L.Conv2D(4, 3, strides=2, padding="valid")(x), y])
    x = L.Concatenate()([x, L.Activation("sigmoid")(x)])
    x = L.GlobalAveragePooling2D()(x)
    mixed = keras.Model(inp, L.Dense(5)(x))
    mlp = keras.Sequential([L.Input((20,)), L.Dense(32, activation="relu"), L.Dense(3, activation="sigmoid")])
    return [("cnn", cnn, (16, 16, 3)), ("mixed", mixed, (8, 8, 4)), ("mlp", mlp, (20,))]


def test_converter_models_bitexact(tmp_path):
    rng = np.random.default_rng(5)
    cases = []
    for name, model, shape in _models():
        for int8_io in (True, False):
            data = _convert(model, shape, int8_io)
            case = c_runner.make_case(f"{name}_{'int8' if int8_io else 'float'}", data, 4, rng)
            assert case is not None, name
            cases.append(case)
    result = c_runner.run(c_runner.build_host(cases, tmp_path))
    assert f"passed {len(cases)} of {len(cases)}" in result.stdout, result.stdout + result.stderr
