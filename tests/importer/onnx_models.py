"""Small ONNX models written with onnx.helper (no PyTorch needed), seeded."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _init(name: str, a: np.ndarray):
    return numpy_helper.from_array(a.astype(np.float32), name)


def conv_net(batch="N", channels=3, size=8, opset=17, nhwc_input=False, depthwise=True, seed=0) -> onnx.ModelProto:
    """input (batch, C, H, W) -> Conv 3x3 pad 1 -> BN -> Relu -> [depthwise 3x3 stride 2 -> Clip 0..6] -> Flatten
    -> Gemm (4 classes). With nhwc_input the input is (batch, H, W, C), transposed to NCHW first, as tf2onnx does."""
    rng = np.random.default_rng(seed)
    c = 8
    inits = [_init("w1", rng.normal(0, 0.3, (c, channels, 3, 3))), _init("b1", rng.normal(0, 0.1, c)),
             _init("g", rng.uniform(0.5, 1.5, c)), _init("be", rng.normal(0, 0.1, c)),
             _init("mu", rng.normal(0, 0.1, c)), _init("var", rng.uniform(0.5, 1.5, c))]
    nodes = []
    x = "input"
    if nhwc_input:
        nodes.append(helper.make_node("Transpose", ["input"], ["x_nchw"], perm=[0, 3, 1, 2], name="to_nchw"))
        x = "x_nchw"
    nodes += [helper.make_node("Conv", [x, "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
              helper.make_node("BatchNormalization", ["c1", "g", "be", "mu", "var"], ["n1"], name="bn1"),
              helper.make_node("Relu", ["n1"], ["r1"], name="relu1")]
    last, spatial = "r1", size
    if depthwise:
        inits += [_init("wd", rng.normal(0, 0.3, (c, 1, 3, 3))), _init("bd", rng.normal(0, 0.1, c)),
                  _init("lo", np.array(0.0)), _init("hi", np.array(6.0))]
        nodes += [helper.make_node("Conv", ["r1", "wd", "bd"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2], group=c,
                                   name="dw"),
                  helper.make_node("Clip", ["c2", "lo", "hi"], ["r2"], name="relu6")]
        last, spatial = "r2", size // 2
    inits += [_init("wf", rng.normal(0, 0.1, (4, c * spatial * spatial))), _init("bf", rng.normal(0, 0.1, 4))]
    nodes += [helper.make_node("Flatten", [last], ["f"], axis=1, name="flatten"),
              helper.make_node("Gemm", ["f", "wf", "bf"], ["logits"], transB=1, name="fc")]
    shape = [batch, size, size, channels] if nhwc_input else [batch, channels, size, size]
    graph = helper.make_graph(nodes, "net", [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, 4])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def two_inputs() -> onnx.ModelProto:
    a, b = (helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 4]) for n in ("a", "b"))
    graph = helper.make_graph([helper.make_node("Add", ["a", "b"], ["y"])], "two", [a, b],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def with_op(op: str) -> onnx.ModelProto:
    """One node of op type `op` (unary, float): for an op the importer has no lowering for."""
    graph = helper.make_graph([helper.make_node(op, ["x"], ["y"], name=f"my_{op.lower()}")], "one",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def pooling_net(residual=True, seed=0) -> onnx.ModelProto:
    """input (1, 4, 8, 8) -> Conv 3x3 -> Relu -> Conv 3x3 -> [Add (the first Relu's output)] -> Relu -> MaxPool 2
    -> AveragePool 2 -> GlobalAveragePool -> Flatten -> MatMul (5 classes) -> Softmax: the ops quantize_static
    quantizes besides those of conv_net."""
    rng = np.random.default_rng(seed)
    inits = [_init("w1", rng.normal(0, 0.3, (8, 4, 3, 3))), _init("b1", rng.normal(0, 0.1, 8)),
             _init("w2", rng.normal(0, 0.2, (8, 8, 3, 3))), _init("b2", rng.normal(0, 0.1, 8)),
             _init("wf", rng.normal(0, 0.5, (8, 5)))]
    nodes = [helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], name="conv2"),
             *([helper.make_node("Add", ["c2", "r1"], ["s"], name="add")] if residual else []),
             helper.make_node("Relu", ["s" if residual else "c2"], ["r2"], name="relu2"),
             helper.make_node("MaxPool", ["r2"], ["p1"], kernel_shape=[2, 2], strides=[2, 2], name="maxpool"),
             helper.make_node("AveragePool", ["p1"], ["p2"], kernel_shape=[2, 2], strides=[2, 2], name="avgpool"),
             helper.make_node("GlobalAveragePool", ["p2"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["f"], axis=1, name="flatten"),
             helper.make_node("MatMul", ["f", "wf"], ["logits"], name="fc"),
             helper.make_node("Softmax", ["logits"], ["probs"], axis=-1, name="softmax")]
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4, 8, 8])
    graph = helper.make_graph(nodes, "pooling", [x], [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 5])],
                              inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def quantize_qdq(src, dst, samples: np.ndarray, **options) -> None:
    """onnxruntime's quant_pre_process (folds BatchNormalization), then quantize_static in QDQ format (unless
    `quant_format` says otherwise), calibrated on `samples` (model layout, samples first)."""
    from pathlib import Path

    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, quant_pre_process, quantize_static

    prepared = Path(dst).with_suffix(".pre.onnx")
    quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
    src = prepared

    name = onnx.load(str(src)).graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.samples = iter([{name: s[np.newaxis].astype(np.float32)} for s in samples])

        def get_next(self):
            return next(self.samples, None)

    quantize_static(str(src), str(dst), Reader(), **{"quant_format": QuantFormat.QDQ, **options})


def conv1d_net(seed=0) -> onnx.ModelProto:
    """input (1, 6, 40) -> Conv1d 5 stride 2 -> Relu -> Conv1d 3 pad 1 -> Relu -> GlobalAveragePool -> Flatten: the
    feature extractor of a PyTorch 1-D CNN as torch.onnx.export writes it."""
    rng = np.random.default_rng(seed)
    inits = [_init("w1", rng.normal(0, 0.3, (8, 6, 5))), _init("b1", rng.normal(0, 0.1, 8)),
             _init("w2", rng.normal(0, 0.3, (8, 8, 3))), _init("b2", rng.normal(0, 0.1, 8))]
    nodes = [helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], strides=[2], name="conv1"),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1], name="conv2"),
             helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
             helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["features"], axis=1, name="flatten")]
    graph = helper.make_graph(nodes, "conv1d", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 6, 40])],
                              [helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 8])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
