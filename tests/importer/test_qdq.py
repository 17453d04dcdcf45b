"""Already-quantized (QDQ) ONNX models from onnxruntime's quantize_static, imported with their own scales: the
int8 model (TFLM's host interpreter) against ONNX Runtime's execution of the QDQ model, output by output in LSBs;
what cannot be exact is refused with one line."""

import json

import numpy as np
import onnx
import pytest

from tests.conftest import run_cli
from tests.importer.onnx_models import _init, conv1d_net, conv_net, pooling_net, quantize_qdq
from toolchain import modelinfo
from toolchain.evaluate.reference import tflm_outputs
from toolchain.importer import OnnxError, qdq_check, read, to_device_layout, to_int8_graph, to_keras, user_layout
from toolchain.importer.qdq_tflite import write


def _qdq(tmp_path, model, x, name="qdq.onnx", **options):
    src = tmp_path / f"float_{name}"
    onnx.save(model, str(src))
    quantize_qdq(src, tmp_path / name, x, **options)
    return tmp_path / name


def _lsb(tmp_path, path, x_user):
    """(parity of our int8 vs ONNX Runtime on x_user, the QGraph)."""
    model = read(path)
    g = to_int8_graph(model)
    tflite = tmp_path / "int8.tflite"
    tflite.write_bytes(write(g))
    x_device = to_device_layout(x_user, model.input_shape, g.input_perm)
    ours = tflm_outputs(tflite, qdq_check.quantize_input(x_device, g))
    return qdq_check.compare(qdq_check.onnxruntime_int8(model, g, x_user), ours, "test"), g


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("symmetric", [False, True])
def test_conv_net_within_one_lsb(tmp_path, per_channel, symmetric):
    """Conv + BatchNorm (folded by quant_pre_process) + ReLU, depthwise Conv + ReLU6 (Clip), Flatten, Gemm.
    Asymmetric activations: quantize_static folds the ReLUs into the quantization ranges, no RELU op is left.
    Within 1 LSB on the calibration inputs (what the import checks); on 200 other inputs at most 2 LSB, and 1 LSB
    for at least 99 % of the outputs (TFLite's kernels round differently from ONNX Runtime's: qdq_check.py)."""
    rng = np.random.default_rng(0)
    x_cal = rng.normal(size=(64, 3, 8, 8)).astype(np.float32)
    path = _qdq(tmp_path, conv_net(batch=1), x_cal, per_channel=per_channel,
                extra_options={"ActivationSymmetric": symmetric})
    parity, g = _lsb(tmp_path, path, x_cal)
    assert parity["qdq_max_lsb"] <= 1 and parity["qdq_top1_agreement"] == 1.0, parity
    parity, g = _lsb(tmp_path, path, rng.normal(size=(200, 3, 8, 8)).astype(np.float32))
    assert parity["qdq_max_lsb"] <= 2 and parity["qdq_lsb_counts"].get("2", 0) <= 0.01 * parity["qdq_outputs"]
    assert parity["qdq_top1_agreement"] >= 0.99
    relu = (["RELU"], ["RELU6"]) if symmetric else ([], [])  # zero point 0: the ReLU is not in the range
    assert [op.op for op in g.ops] == ["CONV_2D", *relu[0], "PAD", "DEPTHWISE_CONV_2D", *relu[1], "RESHAPE",
                                       "FULLY_CONNECTED"]
    info = modelinfo.summarize((tmp_path / "int8.tflite").read_bytes())
    assert info.full_integer and "TRANSPOSE" not in info.ops
    # the file's own integers and scales, not re-derived ones
    proto = onnx.load(str(path))
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    dq = {n.output[0]: n for n in proto.graph.node if n.op_type == "DequantizeLinear"}
    w1 = inits[dq[next(n for n in proto.graph.node if n.op_type == "Conv").input[1]].input[0]]
    conv = g.tensors[g.ops[0].inputs[1]]
    assert np.array_equal(conv.data, np.transpose(w1, (0, 2, 3, 1)))
    assert conv.scale.size == (8 if per_channel else 1)
    if not symmetric:  # the ReLU folded into the first convolution's output range: zero point at the bottom
        assert int(g.tensors[g.ops[0].output].zero_point[0]) == -128


def test_uint8_activations_are_the_int8_ones_shifted(tmp_path):
    """quantize_static with uint8 activations: the same real grid, 128 lower, so the same int8 model and outputs."""
    from onnxruntime.quantization import QuantType

    x = np.random.default_rng(0).normal(size=(64, 3, 8, 8)).astype(np.float32)
    graphs = []
    for name, kind in (("u8.onnx", QuantType.QUInt8), ("s8.onnx", QuantType.QInt8)):
        path = _qdq(tmp_path, conv_net(batch=1), x, name=name, activation_type=kind, per_channel=True)
        parity, g = _lsb(tmp_path, path, x)
        assert parity["qdq_max_lsb"] <= 1, parity
        graphs.append(g)
    u8, s8 = graphs
    assert u8.input_quant[2] == -128 and s8.input_quant[2] == 0
    for a, b in zip(u8.ops, s8.ops):
        out_a, out_b = u8.tensors[a.output], s8.tensors[b.output]
        assert a.op == b.op and np.array_equal(out_a.zero_point, out_b.zero_point)
        assert np.allclose(out_a.scale, out_b.scale, rtol=1e-6)


def _fake_quant_weights(proto: onnx.ModelProto) -> onnx.ModelProto:
    """The QDQ model as a fake-quant export writes it: float weights through QuantizeLinear -> DequantizeLinear, float
    biases (the int32 bias DequantizeLinear replaced by its float result)."""
    from onnx import helper, numpy_helper

    inits = {i.name: i for i in proto.graph.initializer}
    values = {name: numpy_helper.to_array(i) for name, i in inits.items()}
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    del out.graph.node[:]
    for n in proto.graph.node:
        ints = values.get(n.input[0]) if n.op_type == "DequantizeLinear" else None
        if ints is None:
            out.graph.node.append(n)
            continue
        axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
        scale, zp = values[n.input[1]], values[n.input[2]]
        shape = [1] * ints.ndim
        if scale.size > 1:
            shape[axis] = scale.size
        real = ((ints.astype(np.float64) - zp.reshape(shape)) * scale.reshape(shape)).astype(np.float32)
        if ints.dtype == np.int32:  # the bias, left float
            out.graph.initializer.append(numpy_helper.from_array(real, n.output[0]))
            continue
        out.graph.initializer.append(numpy_helper.from_array(real, n.input[0] + "_float"))
        out.graph.node.append(helper.make_node("QuantizeLinear", [n.input[0] + "_float", n.input[1], n.input[2]],
                                               [n.input[0] + "_fq"], axis=axis))
        out.graph.node.append(helper.make_node("DequantizeLinear", [n.input[0] + "_fq", n.input[1], n.input[2]],
                                               list(n.output), axis=axis))
    replaced = {n.input[0] for n in proto.graph.node if n.op_type == "DequantizeLinear" and n.input[0] in values}
    for name in replaced:
        out.graph.initializer.remove(next(i for i in out.graph.initializer if i.name == name))
    return out


def test_fake_quant_weights_import_as_their_integers(tmp_path):
    """Float weights through QuantizeLinear and float biases (a fake-quant export) give the same int8 weights and
    int32 biases as quantize_static's integer initializers."""
    x = np.random.default_rng(0).normal(size=(32, 3, 8, 8)).astype(np.float32)
    path = _qdq(tmp_path, conv_net(batch=1), x, per_channel=True)
    fake = tmp_path / "fake.onnx"
    onnx.save(_fake_quant_weights(onnx.load(str(path))), str(fake))
    fake_proto = onnx.load(str(fake))
    constants = {i.name for i in fake_proto.graph.initializer}
    assert not any(n.input[0] in constants for n in fake_proto.graph.node if n.op_type == "DequantizeLinear")
    a, b = to_int8_graph(read(path)), to_int8_graph(read(fake))
    assert [o.op for o in a.ops] == [o.op for o in b.ops]
    for op_a, op_b in zip(a.ops, b.ops):
        for ta, tb in zip(op_a.inputs[1:], op_b.inputs[1:]):
            assert np.array_equal(a.tensors[ta].data, b.tensors[tb].data), (op_a.op, ta)
    parity, _ = _lsb(tmp_path, fake, x)
    assert parity["qdq_max_lsb"] <= 1


def test_conv1d_net_within_one_lsb(tmp_path):
    """1-D convolutions (N, C, L in ONNX) run as CONV_2D of height 1, channels last: a RESHAPE adds the height."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 6, 40)).astype(np.float32)
    path = _qdq(tmp_path, conv1d_net(), x, per_channel=True)
    parity, g = _lsb(tmp_path, path, x)
    assert parity["qdq_max_lsb"] <= 1, parity
    assert [op.op for op in g.ops] == ["RESHAPE", "CONV_2D", "CONV_2D", "MEAN", "RESHAPE"]
    assert g.input_perm == (0, 2, 1) and g.tensors[g.input].shape == (1, 40, 6)
    assert g.tensors[g.ops[2].inputs[0]].shape == (1, 1, 18, 8)


def test_unsqueeze_squeeze_around_a_conv(tmp_path):
    """A 1-D map given a height of 1 for a 2-D Conv, then squeezed back: RESHAPEs that keep the device's bytes."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    inits = [_init("w1", rng.normal(0, 0.3, (8, 6, 1, 5))), _init("b1", rng.normal(0, 0.1, 8)),
             numpy_helper.from_array(np.array([2], np.int64), "axes")]
    nodes = [helper.make_node("Unsqueeze", ["input", "axes"], ["u"], name="unsqueeze"),
             helper.make_node("Conv", ["u", "w1", "b1"], ["c1"], name="conv1"),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu"),
             helper.make_node("Squeeze", ["r1", "axes"], ["s"], name="squeeze"),
             helper.make_node("GlobalAveragePool", ["s"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["features"], name="flatten")]
    graph = helper.make_graph(nodes, "unsqueezed", [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                                                  [1, 6, 40])],
                              [helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 8])], inits)
    x = rng.normal(size=(32, 6, 40)).astype(np.float32)
    path = _qdq(tmp_path, helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), x,
                extra_options={"ForceQuantizeNoInputCheck": True})
    parity, g = _lsb(tmp_path, path, x)
    assert parity["qdq_max_lsb"] <= 1, parity
    assert [o.op for o in g.ops] == ["RESHAPE", "CONV_2D", "RESHAPE", "RESHAPE", "MEAN", "RESHAPE"]


def _one_op(op: str, shape, **attrs) -> onnx.ModelProto:
    from onnx import TensorProto, helper

    inputs, inits, out_shape = ["x"], [], list(shape)
    if op == "Add":
        inputs = ["x", "x"]
    if op == "MatMul":
        inits = [_init("w", np.random.default_rng(1).normal(0, 0.5, (shape[1], 6)))]
        inputs, out_shape = ["x", "w"], [1, 6]
    if op in ("MaxPool", "AveragePool"):
        out_shape = [1, shape[1], 1, 1]
    if op == "GlobalAveragePool":
        out_shape = [1, shape[1], 1, 1]
    nodes = [helper.make_node(op, inputs, ["y"], name=op.lower(), **attrs)]
    last = "y"
    if len(out_shape) == 4:
        nodes.append(helper.make_node("Flatten", ["y"], ["f"], axis=1, name="flatten"))
        last, out_shape = "f", [1, int(np.prod(out_shape[1:]))]
    graph = helper.make_graph(nodes, "one", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info(last, TensorProto.FLOAT, out_shape)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("op, shape, attrs, tflite_ops", [
    ("MaxPool", (1, 4, 3, 3), {"kernel_shape": [3, 3]}, ["MAX_POOL_2D", "RESHAPE"]),
    ("AveragePool", (1, 4, 2, 2), {"kernel_shape": [2, 2]}, ["AVERAGE_POOL_2D", "RESHAPE"]),
    ("GlobalAveragePool", (1, 4, 8, 8), {}, ["MEAN", "RESHAPE"]),
    ("Add", (1, 16), {}, ["ADD"]),
    ("MatMul", (1, 12), {}, ["FULLY_CONNECTED"]),
    ("Softmax", (1, 10), {"axis": -1}, ["SOFTMAX", "QUANTIZE"]),
])
def test_each_op_within_one_lsb(tmp_path, op, shape, attrs, tflite_ops):
    """One op after the input's quantization (ForceQuantizeNoInputCheck: quantize_static leaves a pool of a float
    input float otherwise): its own rounding only, within 1 LSB of ONNX Runtime."""
    rng = np.random.default_rng(2)
    x = (rng.normal(size=(100, *shape[1:])) * (3 if op == "Softmax" else 1)).astype(np.float32)
    path = _qdq(tmp_path, _one_op(op, shape, **attrs), x[:50], extra_options={"ForceQuantizeNoInputCheck": True})
    parity, g = _lsb(tmp_path, path, x)
    assert [o.op for o in g.ops] == tflite_ops
    assert parity["qdq_max_lsb"] <= 1, parity
    if op == "Softmax":  # quantize_static writes 1/255; TFLite's softmax 1/256, then a requantization
        assert g.tensors[g.output].scale[0] == pytest.approx(1 / 255)


def test_pytorch_digits_model_real_data(tmp_path):
    """models/digits_pt (PyTorch, ONNX export) quantized by quantize_static per channel on 200 training digits:
    within 1 LSB of ONNX Runtime on those and on the 360 held-out digits, the same decisions and accuracy."""
    from toolchain import recipes
    from toolchain.importer import device_perm
    from toolchain.recipes import data as datasets

    recipe = recipes.load("digits_pt")
    model = read(recipe.model_file)
    d = datasets.load(recipe.data["loader"], 0, recipe.data["test_fraction"], base_dir=recipe.path,
                      **recipe.data["args"])
    perm = device_perm(model)
    x_cal, x_test = (user_layout(to_device_layout(x, model.input_shape, perm), perm) for x in (d.x_train[:200],
                                                                                                d.x_test))
    path = tmp_path / "digits_qdq.onnx"
    quantize_qdq(recipe.model_file, path, x_cal, per_channel=True)
    for x in (x_cal, x_test):
        parity, g = _lsb(tmp_path, path, x)
        assert parity["qdq_max_lsb"] <= 1 and parity["qdq_top1_agreement"] == 1.0, parity
    ort_top1 = qdq_check.onnxruntime_int8(read(path), g, x_test).argmax(1)
    assert np.mean(ort_top1 == d.y_test) > 0.97
    assert [o.op for o in g.ops] == ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE",
                                     "FULLY_CONNECTED", "FULLY_CONNECTED"]


def test_beyond_one_lsb_is_refused(tmp_path):
    """A residual block with pooling and a softmax: TFLite's int8 kernels round differently from ONNX Runtime
    (twice in the requantization, half away from zero in the averages), and the differences add up to more than
    1 LSB at the softmax: the import says so and names where."""
    x = np.random.default_rng(0).normal(size=(32, 4, 8, 8)).astype(np.float32)
    path = _qdq(tmp_path, pooling_net(residual=True), x, per_channel=True)
    model = read(path)
    g = to_int8_graph(model)
    tflite = tmp_path / "int8.tflite"
    tflite.write_bytes(write(g))
    x_device = to_device_layout(x, model.input_shape, g.input_perm)
    with pytest.raises(OnnxError, match=r"differs from ONNX Runtime's execution of the QDQ model by [2-9] LSB"):
        qdq_check.check(model, g, tflite, x, x_device, "calibration")


def test_refusals_name_what_and_what_to_do(tmp_path):
    from onnxruntime.quantization import QuantFormat, QuantType

    x = np.random.default_rng(0).normal(size=(16, 3, 8, 8)).astype(np.float32)
    cases = [
        (dict(quant_format=QuantFormat.QOperator), r"QOperator format .*QDQ"),
        (dict(activation_type=QuantType.QInt16), r"int16 quantization.*int8"),
        (dict(activation_type=QuantType.QUInt8, weight_type=QuantType.QUInt8), r"nonzero zero point"),
        (dict(nodes_to_exclude=["fc"]), r"node 'fc' \(Gemm\): input 'wf' is not a quantized constant"),
    ]
    for i, (options, message) in enumerate(cases):
        path = _qdq(tmp_path, conv_net(batch=1), x, name=f"q{i}.onnx", **options)
        with pytest.raises(OnnxError, match=message):
            to_int8_graph(read(path))
    # a recipe quantizes its own model: a QDQ file there is not lowered to float and quantized again
    with pytest.raises(OnnxError, match=r"is already quantized \(QDQ\).*without a recipe"):
        to_keras(read(_qdq(tmp_path, conv_net(batch=1), x, name="recipe.onnx")))


def test_cli_imports_qdq_and_refuses_in_one_line(tmp_path, monkeypatch):
    """optimize prints the QDQ parity and keeps it in the manifest; the inputs of bench, validate and monitor for a
    bare ONNX model are its calibration inputs; a QDQ model beyond 1 LSB is one Error line and no int8 model."""
    from toolchain import pipeline

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3, 8, 8)).astype(np.float32)
    np.save(tmp_path / "cal.npy", x)
    path = _qdq(tmp_path, conv_net(batch=1), x, per_channel=True)
    build = tmp_path / "build"
    r = run_cli("optimize", "--model", str(path), "--calibration", str(tmp_path / "cal.npy"), build=build)
    assert r.returncode == 0, r.stderr
    assert "parity on 40 calibration inputs: ONNX QDQ (ONNX Runtime) vs our int8: max " in r.stdout
    m = json.loads((build / "qdq" / "host" / "manifest.json").read_text())
    assert m["parity"]["kind"] == "qdq" and m["parity"]["qdq_max_lsb"] <= 1 and m["parity"]["samples"] == 40
    assert m["onnx"]["quantized"] == "qdq"
    assert m["monitor_profile"]["split"] == "calibration"  # `toolchain monitor` compares a device against these

    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(build))
    p = pipeline.prepare(str(path))
    assert len(p.test_inputs) == 40 and p.test_labels is None
    assert np.array_equal(p.host_int8_outputs, tflm_outputs(p.tflite, p.test_inputs))

    bad = _qdq(tmp_path, pooling_net(residual=True), rng.normal(size=(32, 4, 8, 8)).astype(np.float32),
               name="residual.onnx", per_channel=True)
    np.save(tmp_path / "cal4.npy", np.random.default_rng(0).normal(size=(32, 4, 8, 8)).astype(np.float32))
    r = run_cli("optimize", "--model", str(bad), "--calibration", str(tmp_path / "cal4.npy"), build=build)
    lines = [line for line in (r.stdout + r.stderr).splitlines() if line.strip() and not line.startswith("... ")]
    assert r.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error:") and "LSB" in lines[0], lines
    assert not (build / "residual" / "host" / "int8.tflite").exists()


@pytest.mark.slow
@pytest.mark.qemu
def test_qdq_digits_on_qemu_device_equals_host(tmp_path, tflm_tree):
    """models/digits_pt quantized by quantize_static (per channel, 60 training digits), imported, benched on
    qemu-m4 (runtime auto: aot): the device streams the calibration inputs, not random ones, and its outputs are
    the host int8 model's, sample by sample."""
    from toolchain import recipes
    from toolchain.importer import device_perm
    from toolchain.recipes import data as datasets

    recipe = recipes.load("digits_pt")
    model = read(recipe.model_file)
    d = datasets.load(recipe.data["loader"], 0, recipe.data["test_fraction"], base_dir=recipe.path,
                      **recipe.data["args"])
    perm = device_perm(model)
    x_cal = user_layout(to_device_layout(d.x_train[:60], model.input_shape, perm), perm)
    path = tmp_path / "digits_qdq.onnx"
    quantize_qdq(recipe.model_file, path, x_cal, per_channel=True)
    np.save(tmp_path / "cal.npy", x_cal)
    build = tmp_path / "build"
    r = run_cli("optimize", "--model", str(path), "--calibration", str(tmp_path / "cal.npy"), build=build)
    assert r.returncode == 0, r.stderr
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(path), "--tflm-dir", str(tflm_tree), build=build)
    assert r.returncode == 0, r.stderr
    out = build / "digits_qdq" / "qemu-m4"
    bench = json.loads((out / "bench.json").read_text())
    assert bench["runtime"] == "aot"
    assert bench["accuracy"]["samples"] == 60 and bench["accuracy"]["agreement"] == 1.0
    page = (out / "report.html").read_text()
    assert "ONNX QDQ (ONNX Runtime) vs our int8, max difference" in page
