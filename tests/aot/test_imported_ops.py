"""SPLIT/SPLIT_V, STRIDED_SLICE, GATHER, RESIZE_NEAREST_NEIGHBOR, PRELU, BATCH_MATMUL and TRANSPOSE_CONV (what
converters emit for small PyTorch models): the generated C byte for byte against the TFLM host interpreter on
random shapes, options and quantizations, on the host (gcc) and on Cortex-M4 (QEMU, DSP build)."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner, random_models

OPS = ["split", "strided_slice", "gather", "resize_nearest", "prelu", "batch_matmul", "transpose_conv"]
DSP_TWINS = {"batch_matmul", "transpose_conv", "prelu"}  # kernels/dsp/ has their own code: more cases on Cortex-M4


def _cases(kind: str, n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    gen = random_models.GENERATORS[kind]
    return [c for i in range(n) if (c := c_runner.make_case(f"{kind}_{i}", gen(rng), 3, rng))]


def _check(result, n):
    assert result.returncode == 0 and f"passed {n} of {n}" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("kind", OPS)
def test_op_bitexact_with_tflm(kind, tmp_path):
    cases = _cases(kind, 24, seed=OPS.index(kind) + 40)
    assert len(cases) == 24  # TFLM accepted every generated model
    _check(c_runner.run(c_runner.build_host(cases, tmp_path)), len(cases))


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="qemu-system-arm / arm-none-eabi-gcc not installed")
def test_ops_bitexact_on_cortex_m4(tmp_path):
    per_op = {kind: 16 if kind in DSP_TWINS else 6 for kind in OPS}
    cases = [c for kind in OPS for c in _cases(kind, per_op[kind], seed=OPS.index(kind) + 60)]
    assert len(cases) == sum(per_op.values())
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels="dsp"), qemu=True), len(cases))


def test_embedding_gather_from_int32_input(tmp_path):
    """The embedding pattern: the model's int32 input indexes a constant int8 table."""
    from tests.aot.tflite_builder import ModelBuilder
    rng = np.random.default_rng(7)
    cases = []
    for i, (vocab, dim, n) in enumerate([(10, 4, 6), (50, 16, 12), (3, 1, 1)]):
        mb = ModelBuilder()
        idx = mb.tensor([1, n], "int32")
        table = mb.tensor([vocab, dim], "int8", 0.02, 3, rng.integers(-128, 128, (vocab, dim)))
        y = mb.tensor([1, n, dim], "int8", 0.02, 3)
        mb.op("GATHER", [table, idx], [y], axis=0)
        model = mb.build([idx], [y])
        inputs = rng.integers(0, vocab, (4, 1, n)).astype(np.int32)
        cases.append(c_runner.Case(f"embedding_{i}", model, inputs, c_runner.tflm_outputs(model, inputs)))
    _check(c_runner.run(c_runner.build_host(cases, tmp_path)), len(cases))


def keras_model_with_the_ops() -> bytes:
    """A Keras model through the real TF converter (full-int8 PTQ, int8 I/O) that emits PRELU, SPLIT_V,
    STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR, GATHER, TRANSPOSE_CONV and BATCH_MATMUL (also benched by
    scripts/aot_op_bench.py)."""
    import tensorflow as tf
    import tf_keras as keras

    from tests.aot.test_tf_converter import _convert
    L = keras.layers
    keras.utils.set_random_seed(3)
    inp = L.Input((8, 8, 4), batch_size=1)  # a static batch: Conv2DTranspose then needs no SHAPE op
    x = L.PReLU(shared_axes=[1, 2])(L.Conv2D(8, 3, padding="same")(inp))
    a, b = L.Lambda(lambda t: tf.split(t, [3, 5], axis=-1))(x)
    a = L.Lambda(lambda t: t[:, 1::2, ::2, :])(L.UpSampling2D(2)(a))
    b = L.Lambda(lambda t: tf.gather(t, [4, 0, 2], axis=-1))(L.Conv2D(5, 3, padding="same")(b))
    x = L.Concatenate()([a, b])
    x = L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")(x)
    t = L.Reshape((16, 16))(L.Conv2D(4, 2, strides=2)(x))  # 16 tokens of 16 features: attention-style scores
    t = L.Lambda(lambda v: tf.matmul(v, v, transpose_b=True))(t)
    y = L.Dense(6)(L.Flatten()(L.MaxPool1D(8)(t)))
    return _convert(keras.Model(inp, y), (8, 8, 4), int8_io=True)


@pytest.mark.slow
def test_converter_models_with_the_ops_bitexact(tmp_path):
    """The converted Keras model, compiled for AOT and compared with TFLM."""
    from toolchain.aot.reader import read_tflite_bytes
    data = keras_model_with_the_ops()
    ops = {op.name for op in read_tflite_bytes(data).ops}
    assert {"PRELU", "SPLIT_V", "STRIDED_SLICE", "RESIZE_NEAREST_NEIGHBOR", "GATHER", "TRANSPOSE_CONV",
            "BATCH_MATMUL"} <= ops, ops
    case = c_runner.make_case("converted", data, 4, np.random.default_rng(1))
    assert case is not None
    _check(c_runner.run(c_runner.build_host([case], tmp_path)), 1)

def _refused(mb, x, y, tmp_path, what):
    from toolchain.aot import AotError, compile_tflite
    path = tmp_path / "m.tflite"
    path.write_bytes(mb.build([x], [y]))
    with pytest.raises(AotError) as e:
        compile_tflite(path, tmp_path / "out")
    assert "layer 0" in str(e.value) and what in str(e.value) and "--runtime tflm" in str(e.value), str(e.value)
    return path


def test_unsupported_variants_are_refused_and_auto_picks_tflm(tmp_path, capsys):
    from tests.aot.tflite_builder import ModelBuilder
    from toolchain.build.targets import auto_runtime

    mb = ModelBuilder()  # SPLIT whose pieces change the quantization: TFLM copies bytes, so it would too
    x, ax = mb.tensor([1, 4], "int8", 0.1, 0), mb.tensor([], "int32", data=np.array(1, np.int32))
    a, b, y = mb.tensor([1, 2], "int8", 0.1, 0), mb.tensor([1, 2], "int8", 0.2, 0), mb.tensor([1, 4], "int8", 0.1, 0)
    mb.op("SPLIT", [ax, x], [a, b], num_splits=2)
    mb.op("CONCATENATION", [b, a], [y], axis=1)
    path = _refused(mb, x, y, tmp_path, "share one quantization")
    assert auto_runtime(path) == "tflm"
    assert "runtime auto: tflm (the AOT compiler refused layer 0 (SPLIT" in capsys.readouterr().err

    mb = ModelBuilder()
    x, y = mb.tensor([2, 3], "int8", 0.1, 0), mb.tensor([1, 2, 3], "int8", 0.1, 0)
    c = [mb.tensor([2], "int32", data=np.array(v, np.int32)) for v in ([0, 0], [2, 3], [1, 1])]
    mb.op("STRIDED_SLICE", [x, *c], [y], new_axis_mask=1)
    _refused(mb, x, y, tmp_path, "new_axis_mask")

    mb = ModelBuilder()
    x, y = mb.tensor([4, 3], "int8", 0.1, 0), mb.tensor([2, 3], "int8", 0.1, 0)
    mb.op("GATHER", [x, mb.tensor([2], "int64", data=np.array([0, 1]))], [y], axis=0)
    _refused(mb, x, y, tmp_path, "int32 indices")

    mb = ModelBuilder()
    x, y = mb.tensor([1, 2, 2, 1], "int8", 0.1, 0), mb.tensor([1, 4, 4, 1], "int8", 0.1, 0)
    mb.op("RESIZE_NEAREST_NEIGHBOR", [x, mb.tensor([2], "int32", data=np.array([4, 3], np.int32))], [y])
    _refused(mb, x, y, tmp_path, "size must be a constant equal to the output's")

    mb = ModelBuilder()
    x, y = mb.tensor([1, 2, 2, 2], "int8", 0.1, 0), mb.tensor([1, 2, 2, 2], "int8", 0.1, 0)
    alpha = mb.tensor([2], "int8", [0.01, 0.02], [0, 0], np.array([3, 4]))
    mb.op("PRELU", [x, alpha], [y])
    _refused(mb, x, y, tmp_path, "per channel")
