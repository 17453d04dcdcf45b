"""toolchain/optimize/quantize.py's int16x8 mode: the converter's 16x8 output (int16 activations with zero
point 0, int8 weights, int64 biases, dense weights per tensor), runnable by the TFLM host interpreter and
close to the float model."""

import numpy as np

from toolchain.aot.reader import read_tflite_bytes
from toolchain.evaluate import io_quant, tflm_outputs
from toolchain.optimize.quantize import to_tflite


def test_int16x8_model_is_16x8_and_tracks_the_float_model():
    from toolchain.train.tf import keras, seed_everything

    seed_everything(0)
    model = keras.Sequential([keras.layers.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(3)])
    x = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype(np.float32)
    data = to_tflite(model, "int16x8", x)
    graph = read_tflite_bytes(data)
    acts = [graph.tensors[t] for op in graph.ops for t in (op.inputs[0], *op.outputs)]
    assert {t.dtype for t in acts} == {"int16"} and all(int(t.zp) == 0 for t in acts)
    for op in graph.ops:
        if op.name in ("CONV_2D", "FULLY_CONNECTED"):
            w = graph.tensors[op.inputs[1]]
            assert w.dtype == "int8"
            if len(op.inputs) > 2 and op.inputs[2] >= 0:  # a zero bias (Dense's initial one) is left out
                assert graph.tensors[op.inputs[2]].dtype == "int64"
            if op.name == "FULLY_CONNECTED":
                assert len(np.atleast_1d(w.scale)) == 1  # per tensor: TFLM's CMSIS-NN kernel needs it
    qin, qout = io_quant(data)
    got = qout.dequantize(tflm_outputs(data, qin.quantize(x), 1 << 16))
    want = np.asarray(model(x, training=False)).reshape(len(x), -1)
    assert np.max(np.abs(got - want)) < 0.01 * max(1.0, float(np.max(np.abs(want))))


def test_a_plan_takes_int16x8(tmp_path):
    from toolchain.optimize import Plan
    from toolchain.recipes import load
    from toolchain.recipes.recipe import RecipeError

    assert Plan.of(load("digits"), quantize=["int8", "int16x8"]).quantize == ["int8", "int16x8"]
    try:
        Plan.of(load("digits"), quantize=["int4"])
    except RecipeError as err:
        assert "int16x8" in str(err)  # the modes offered name it
    else:
        raise AssertionError("int4 accepted")
