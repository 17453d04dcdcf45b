"""A zoo of ONNX models we did not write the importer for, in the shapes PyTorch and other exporters give small
models, written with onnx.helper at any opset (11 to 18): seeded, He-initialised weights, BatchNormalization with
running statistics near what training leaves. Each model ends in class logits, so int8 top-1 agreement means
something. `python -m tests.importer.zoo OUT [--report]` writes every model at every opset, with calibration
inputs (and, with --report, prints each one's parity as a Markdown table).

The graphs differ by opset where the exporters' do: Squeeze/Unsqueeze/ReduceMean axes as attributes or inputs,
HardSwish as an op (14+) or as x * HardSigmoid(x), Softmax over the coerced 2-D view (below 13), Resize's roi."""

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSETS = (11, 13, 17, 18)


class Graph:
    """Nodes and initializers of one model, named in order; `constant_nodes` writes weights as Constant nodes."""

    def __init__(self, opset: int, seed: int, constant_nodes: bool = False):
        self.opset, self.rng, self.constant_nodes = opset, np.random.default_rng(seed), constant_nodes
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}_{self.n}"

    def const(self, a, prefix="w") -> str:
        name = self.name(prefix)
        a = np.asarray(a)
        tensor = numpy_helper.from_array(a.astype(np.float32) if a.dtype.kind == "f" else a, name)
        if self.constant_nodes:
            self.nodes.append(helper.make_node("Constant", [], [name], value=tensor, name=f"{name}_const"))
        else:
            self.inits.append(tensor)
        return name

    def op(self, op_type: str, inputs: list[str], **attrs) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, cin, cout, k, stride=1, group=1, pad=None, bias=True, dims=2) -> str:
        kernel = (k,) * dims if isinstance(k, int) else tuple(k)
        fan_in = cin // group * int(np.prod(kernel))
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // group, *kernel))
        pads = [p // 2 for p in kernel] * 2 if pad is None else pad
        inputs = [x, self.const(w)] + ([self.const(self.rng.normal(0, 0.05, cout), "b")] if bias else [])
        return self.op("Conv", inputs, kernel_shape=list(kernel), strides=[stride] * dims, group=group, pads=pads)

    def bn(self, x, c) -> str:
        stats = [self.rng.uniform(0.7, 1.3, c), self.rng.normal(0, 0.1, c), self.rng.normal(0, 0.2, c),
                 self.rng.uniform(0.6, 1.6, c)]
        return self.op("BatchNormalization", [x, *(self.const(s, "bn") for s in stats)], epsilon=1e-5)

    def clip6(self, x) -> str:
        return self.op("Clip", [x, self.const(np.array(0.0), "lo"), self.const(np.array(6.0), "hi")])

    def hard_swish(self, x) -> str:
        if self.opset >= 14:
            return self.op("HardSwish", [x])
        return self.op("Mul", [x, self.op("HardSigmoid", [x], alpha=1 / 6, beta=0.5)])

    def axes_op(self, op_type, x, axes, **attrs) -> str:
        """Squeeze/Unsqueeze (axes an input from 13) or ReduceMean (from 18)."""
        takes_input = self.opset >= (18 if op_type == "ReduceMean" else 13)
        if takes_input:
            return self.op(op_type, [x, self.const(np.array(axes, np.int64), "axes")], **attrs)
        return self.op(op_type, [x], axes=axes, **attrs)

    def head(self, x, c, classes=5, flatten="Flatten") -> str:
        """GlobalAveragePool -> Flatten, Reshape(-1, C), or (flatten="view") the Shape -> Gather -> Unsqueeze ->
        Concat -> Reshape chain TorchScript writes for x.view(x.size(0), -1) -> Gemm: the logits."""
        x = self.op("GlobalAveragePool", [x])
        if flatten == "Flatten":
            x = self.op("Flatten", [x], axis=1)
        elif flatten == "view":
            batch = self.op("Gather", [self.op("Shape", [x]), self.const(np.array(0, np.int64), "i")], axis=0)
            batch = self.axes_op("Unsqueeze", batch, [0])
            target = self.op("Concat", [batch, self.const(np.array([-1], np.int64), "minus1")], axis=0)
            x = self.op("Reshape", [x, target])
        else:
            x = self.op("Reshape", [x, self.const(np.array([-1, c], np.int64), "shape")])
        return self.gemm(x, c, classes)

    def gemm(self, x, cin, cout, trans_b=True) -> str:
        w = self.rng.normal(0, np.sqrt(1.0 / cin), (cout, cin))
        return self.op("Gemm", [x, self.const(w if trans_b else w.T), self.const(self.rng.normal(0, 0.05, cout), "b")],
                       transB=int(trans_b))

    def model(self, x_shape, out: str, classes: int) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, "zoo", [helper.make_tensor_value_info("input", TensorProto.FLOAT, x_shape)],
                                  [helper.make_tensor_value_info(out, TensorProto.FLOAT, [x_shape[0], classes])],
                                  self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)], producer_name="tests.zoo")
        m.ir_version = 7  # readable by every onnxruntime that runs opset 11..18
        _balance(m)
        onnx.checker.check_model(m, full_check=True)
        return m


def _tensor(m: onnx.ModelProto, name: str):
    for t in m.graph.initializer:
        if t.name == name:
            return t
    return next(a.t for n in m.graph.node if n.op_type == "Constant" and n.output[0] == name for a in n.attribute)


def _balance(m: onnx.ModelProto) -> None:
    """Standardise the last Gemm's input features (weights over their spread, bias minus their mean), as a trained
    classifier's would be: random weights alone give one class for every input, which makes top-1 agreement
    meaningless."""
    import onnxruntime as ort

    gemm = [n for n in m.graph.node if n.op_type == "Gemm"][-1]
    probe = onnx.ModelProto()
    probe.CopyFrom(m)
    probe.graph.output.append(helper.make_tensor_value_info(gemm.input[0], TensorProto.FLOAT, None))
    sess = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    feats = np.concatenate([sess.run([gemm.input[0]], {"input": x[np.newaxis]})[0] for x in inputs(m, 128, seed=7)])
    mean, std = feats.mean(0), feats.std(0)
    std = np.maximum(std, np.median(std))  # a nearly constant feature is not amplified into noise
    trans_b = any(a.name == "transB" and a.i for a in gemm.attribute)
    w_t, b_t = _tensor(m, gemm.input[1]), _tensor(m, gemm.input[2])
    w = numpy_helper.to_array(w_t)
    w = w / std if trans_b else w / std[:, np.newaxis]
    b = -(w @ mean if trans_b else mean @ w)
    w_t.CopyFrom(numpy_helper.from_array(w.astype(np.float32), w_t.name))
    b_t.CopyFrom(numpy_helper.from_array(b.astype(np.float32), b_t.name))


def mobilenet_v2(opset: int, seed: int = 0) -> onnx.ModelProto:
    """Stem conv + BN + ReLU6, two inverted residual blocks (expand 1x1, depthwise 3x3, project 1x1; the second
    with its residual Add), Clip bounds as Constant nodes, dynamic batch."""
    g = Graph(opset, seed)
    x = g.clip6(g.bn(g.conv("input", 3, 8, 3, stride=2, bias=False), 8))
    for cin, cout, stride in ((8, 12, 2), (12, 12, 1)):
        h = g.clip6(g.bn(g.conv(x, cin, cin * 4, 1, bias=False), cin * 4))
        h = g.clip6(g.bn(g.conv(h, cin * 4, cin * 4, 3, stride=stride, group=cin * 4, bias=False), cin * 4))
        h = g.bn(g.conv(h, cin * 4, cout, 1, bias=False), cout)
        x = g.op("Add", [x, h]) if stride == 1 and cin == cout else h
    return g.model(["N", 3, 32, 32], g.head(x, 12, 6), 6)


def mobilenet_v3(opset: int, seed: int = 1) -> onnx.ModelProto:
    """HardSwish stem, a depthwise block with squeeze-excite (mean over H, W -> 1x1 conv -> ReLU -> 1x1 conv ->
    HardSigmoid -> Mul), a HardSwish expand, and the classifier on ReduceMean."""
    g = Graph(opset, seed)
    x = g.hard_swish(g.bn(g.conv("input", 3, 16, 3, stride=2, bias=False), 16))
    h = g.op("Relu", [g.bn(g.conv(x, 16, 16, 3, stride=2, group=16, bias=False), 16)])
    s = g.axes_op("ReduceMean", h, [2, 3], keepdims=1)
    s = g.op("Relu", [g.conv(s, 16, 8, 1)])
    s = g.op("HardSigmoid", [g.conv(s, 8, 16, 1)], alpha=1 / 6, beta=0.5)
    h = g.op("Mul", [h, s])
    h = g.bn(g.conv(h, 16, 16, 1, bias=False), 16)
    x = g.hard_swish(g.bn(g.conv(h, 16, 48, 1, bias=False), 48))
    x = g.axes_op("ReduceMean", x, [2, 3], keepdims=0)
    x = g.hard_swish(g.gemm(x, 48, 32))
    return g.model(["N", 3, 32, 32], g.gemm(x, 32, 5), 5)


def resnet(opset: int, seed: int = 2) -> onnx.ModelProto:
    """Stem conv + BN + ReLU + MaxPool, a basic block with identity shortcut, a stride-2 block with a 1x1
    projection shortcut, GlobalAveragePool + Reshape + Gemm (the Reshape's shape computed by Shape/Gather/Concat
    below opset 17, as TorchScript exports x.view(x.size(0), -1); a constant (-1, C) from 17)."""
    g = Graph(opset, seed)
    x = g.op("Relu", [g.bn(g.conv("input", 3, 16, 3, bias=False), 16)])
    x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    for cin, cout, stride in ((16, 16, 1), (16, 24, 2)):
        h = g.op("Relu", [g.bn(g.conv(x, cin, cout, 3, stride=stride, bias=False), cout)])
        h = g.bn(g.conv(h, cout, cout, 3, bias=False), cout)
        short = x if stride == 1 else g.bn(g.conv(x, cin, cout, 1, stride=stride, pad=[0, 0, 0, 0], bias=False), cout)
        x = g.op("Relu", [g.op("Add", [h, short])])
    return g.model(["N", 3, 24, 24], g.head(x, 24, 4, flatten="view" if opset < 17 else "Reshape"), 4)


def audio_1d(opset: int, seed: int = 3) -> onnx.ModelProto:
    """1-D convolutions over an NCW input (6 sensor channels x 64 steps), normalised per channel first
    ((x - mean) / std, as a preprocessing wrapper exports it): Conv1d k5 + BN + ReLU, MaxPool1d, depthwise Conv1d +
    PReLU (one slope per channel), pointwise, GlobalAveragePool, Squeeze of the last axis, Gemm."""
    g = Graph(opset, seed)
    x = g.op("Sub", ["input", g.const(g.rng.normal(0, 0.2, (6, 1)), "mean")])
    x = g.op("Div", [x, g.const(g.rng.uniform(0.8, 1.5, (6, 1)), "std")])
    x = g.op("Relu", [g.bn(g.conv(x, 6, 16, 5, dims=1, bias=False), 16)])
    x = g.op("MaxPool", [x], kernel_shape=[2], strides=[2])
    x = g.bn(g.conv(x, 16, 16, 3, stride=2, group=16, dims=1, bias=False), 16)
    x = g.op("PRelu", [x, g.const(g.rng.uniform(0.05, 0.3, (16, 1)), "slope")])
    x = g.op("Relu", [g.bn(g.conv(x, 16, 24, 1, dims=1, bias=False), 24)])
    x = g.axes_op("Squeeze", g.op("GlobalAveragePool", [x]), [2])
    return g.model(["N", 6, 64], g.gemm(x, 24, 4), 4)


def mlp(opset: int, seed: int = 4) -> onnx.ModelProto:
    """Every weight a Constant node: Gemm transB=1, ReLU, MatMul + Add (bias after), Tanh, Gemm transB=0, Sigmoid,
    Dropout and Identity in the way, then Softmax over the classes."""
    g = Graph(opset, seed, constant_nodes=True)
    x = g.op("Relu", [g.gemm("input", 20, 32)])
    x = g.op("Dropout", [x])
    w = g.const(g.rng.normal(0, np.sqrt(1 / 32), (32, 24)))
    x = g.op("Tanh", [g.op("Add", [g.op("MatMul", [x, w]), g.const(g.rng.normal(0, 0.05, 24), "b")])])
    x = g.op("Identity", [g.op("Sigmoid", [g.gemm(x, 24, 16, trans_b=False)])])
    x = g.op("Softmax", [g.gemm(x, 16, 6)], axis=1 if opset < 13 else -1)
    return g.model(["N", 20], x, 6)


def shapes(opset: int, seed: int = 5) -> onnx.ModelProto:
    """Two branches concatenated on channels, an explicit Pad (top and left only), AveragePool with and without count_include_pad,
    MaxPool with ceil_mode, Sigmoid; Flatten to the Gemm."""
    g = Graph(opset, seed)
    x = g.op("Relu", [g.bn(g.conv("input", 3, 8, 3), 8)])
    a = g.op("Relu", [g.conv(x, 8, 8, 1, pad=[0, 0, 0, 0])])
    b = g.op("Relu", [g.conv(x, 8, 8, 3)])
    x = g.op("Concat", [a, b], axis=1)
    x = g.op("Pad", [x, g.const(np.array([0, 0, 1, 1, 0, 0, 0, 0], np.int64), "pads")], mode="constant")
    x = g.op("AveragePool", [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1)
    x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)  # 17 -> 9 (8 without ceil_mode)
    x = g.op("Sigmoid", [g.bn(g.conv(x, 16, 12, 3), 12)])
    x = g.op("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0)
    x = g.op("Flatten", [x], axis=1)
    return g.model(["N", 3, 16, 16], g.gemm(x, 12 * 5 * 5, 5), 5)


def upsample(opset: int, seed: int = 6) -> onnx.ModelProto:
    """An encoder-decoder: strided conv down, Resize (nearest, x2) up, ConvTranspose (stride 2) up, the skip
    subtracted (a high-pass: two computed tensors, a SUB on the device), then a classifier head."""
    g = Graph(opset, seed)
    x = g.op("Relu", [g.bn(g.conv("input", 1, 8, 3), 8)])
    d = g.op("Relu", [g.conv(x, 8, 12, 3, stride=2)])
    d = g.op("Relu", [g.conv(d, 12, 12, 3, stride=2)])
    roi = g.const(np.zeros(0, np.float32), "roi") if opset < 13 else ""
    u = g.op("Resize", [d, roi, g.const(np.array([1, 1, 2, 2], np.float32), "scales")], mode="nearest",
             coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    w = g.const(g.rng.normal(0, np.sqrt(2.0 / (12 * 4)), (12, 8, 2, 2)))
    u = g.op("ConvTranspose", [u, w, g.const(g.rng.normal(0, 0.05, 8), "b")], kernel_shape=[2, 2], strides=[2, 2])
    x = g.op("Relu", [g.op("Sub", [x, u])])
    return g.model(["N", 1, 16, 16], g.head(g.conv(x, 8, 16, 3, stride=2), 16, 3), 3)


def softmax_axes(opset: int, seed: int = 7) -> onnx.ModelProto:
    """Logits reshaped to (N, 4, 6) with Softmax over axis 1 (below opset 13: over the coerced (N, 24) view),
    then flattened: the axis semantics that changed at opset 13."""
    g = Graph(opset, seed)
    x = g.op("Relu", [g.gemm("input", 12, 24)])
    x = g.op("Reshape", [g.gemm(x, 24, 24), g.const(np.array([-1, 4, 6], np.int64), "shape")])
    x = g.op("Softmax", [x], axis=1)
    return g.model(["N", 12], g.op("Flatten", [x], axis=1), 24)


ZOO = {f.__name__: f for f in (mobilenet_v2, mobilenet_v3, resnet, audio_1d, mlp, shapes, upsample, softmax_axes)}


def inputs(model: onnx.ModelProto, n: int, seed: int = 100) -> np.ndarray:
    """n float32 inputs for `model` (batch 1 each): noise with a per-sample gain and a per-sample, per-channel
    offset, so that pooled features differ between samples as a real data set's do (white noise alone averages out
    in a global pooling, and the int8 model's rounding would decide the class)."""
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
    rng = np.random.default_rng(seed)
    gain = rng.uniform(0.5, 1.5, (n,) + (1,) * len(dims))
    offset = rng.normal(0, 1, (n, dims[0]) + (1,) * (len(dims) - 1))
    return (rng.normal(size=(n, *dims)) * gain + offset).astype(np.float32)


def int8_outputs(tflite: bytes, x_device: np.ndarray) -> np.ndarray:
    """The int8 model's dequantized outputs (LiteRT's reference kernels), one sample at a time."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=tflite, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    i, o = it.get_input_details()[0], it.get_output_details()[0]
    (si, zi), (so, zo) = i["quantization"], o["quantization"]
    out = []
    for sample in x_device:
        it.set_tensor(i["index"], np.clip(np.round(sample / si) + zi, -128, 127).astype(np.int8)[np.newaxis])
        it.invoke()
        out.append((it.get_tensor(o["index"]).astype(np.float32).reshape(-1) - zo) * so)
    return np.stack(out)


def measure(path: Path, n: int = 200) -> dict:
    """Import `path`, then: ONNX Runtime vs converted float (max |diff|), int8 vs ONNX Runtime float top-1 agreement
    on n inputs (the int8 model calibrated on other inputs), the int8 ops and what --runtime auto picks."""
    from toolchain import modelinfo
    from toolchain.aot.lower import LOWERINGS
    from toolchain.importer import read, to_device_layout, to_keras
    from toolchain.importer.parity import onnxruntime_outputs
    from toolchain.optimize.quantize import to_tflite

    model = read(path)
    converted = to_keras(model)
    x, calibration = inputs(model.proto, n), inputs(model.proto, 200, seed=200)
    to_device = lambda a: to_device_layout(a, model.input_shape, converted.input_perm)  # noqa: E731
    reference = onnxruntime_outputs(model, x)
    mine = np.asarray(converted.keras_model.predict(to_device(x), batch_size=64, verbose=0)).reshape(len(x), -1)
    tflite = to_tflite(converted.keras_model, "int8", to_device(calibration))
    q = int8_outputs(tflite, to_device(x))
    ops = modelinfo.summarize(tflite).ops
    return {"max_abs_diff": float(np.abs(mine - reference).max()), "range": float(np.abs(reference).max()),
            "int8_agreement": float(np.mean(q.argmax(1) == reference.argmax(1))), "ops": list(ops),
            "runtime": "aot" if all(op in LOWERINGS for op in ops) else "tflm",
            "aot_missing": sorted({op for op in ops if op not in LOWERINGS})}


def main(out: Path, report: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, make in ZOO.items():
        for opset in OPSETS:
            m = make(opset)
            onnx.save(m, str(out / f"{name}_op{opset}.onnx"))
        np.save(out / f"{name}_calibration.npy", inputs(m, 200, seed=200))
    print(f"{len(ZOO) * len(OPSETS)} models and {len(ZOO)} calibration arrays in {out}")
    if report:
        print("| model | opset | ONNX vs converted max abs diff (outputs up to) | int8 vs float top-1 | int8 ops | "
              "runtime auto |\n|---|---:|---:|---:|---|---|")
        for name in ZOO:
            for opset in OPSETS:
                r = measure(out / f"{name}_op{opset}.onnx")
                print(f"| {name} | {opset} | {r['max_abs_diff']:.1e} ({r['range']:.2f}) | {r['int8_agreement']:.1%} | "
                      f"{', '.join(r['ops'])} | {r['runtime']}{' (' + ', '.join(r['aot_missing']) + ')' if r['aot_missing'] else ''} |",
                      flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--report"]
    main(Path(args[0]) if args else Path("zoo"), "--report" in sys.argv)
