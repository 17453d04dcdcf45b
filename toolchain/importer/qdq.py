"""An already-quantized (QDQ) ONNX model read as the int8 graph it describes, with its own scales and zero points.

In QDQ format every quantized op reads DequantizeLinear outputs and feeds one QuantizeLinear: the op's integer
inputs, weights, int32 bias and output quantization are all in the file. This module walks that graph and lists
TFLite int8 ops (QOp) over integer tensors (QTensor), channels last on the device as in the float importer
(layout.py): no TRANSPOSE, a Flatten before a Linear layer permutes the Linear layer's weight columns instead.
qdq_tflite.py writes the list as a .tflite file; qdq_check.py checks it against ONNX Runtime's execution.

Anything without an exact int8 equivalent is refused by name: QOperator nodes (QLinearConv, ...), 4- and 16-bit
types, weights with a zero point, a float tensor between quantized ops, ops not listed in OPS."""

from dataclasses import dataclass, field

import numpy as np

from toolchain.importer import layout
from toolchain.importer.errors import OnnxError
from toolchain.importer.graph import QOPERATOR, OnnxModel

RESHAPES = ("Flatten", "Reshape", "Squeeze", "Unsqueeze")
SOFTMAX_SCALE, SOFTMAX_ZP = 1 / 256, -128  # what TFLite's int8 SOFTMAX writes


@dataclass
class QTensor:
    name: str
    shape: tuple[int, ...]  # physical (device) shape
    dtype: str  # int8 or int32
    scale: np.ndarray | None = None
    zero_point: np.ndarray | None = None
    axis: int = 0  # quantized dimension of per-channel scales
    data: np.ndarray | None = None  # constant tensors


@dataclass
class QOp:
    op: str  # TFLite builtin name
    inputs: list[str]
    output: str
    options: dict = field(default_factory=dict)
    node: str = ""  # the ONNX node it comes from


@dataclass
class Act:
    """An integer activation as the device holds it: spatial tensors channels last (1-D ones as N, L, C or
    N, 1, L, C), flat ones (N, F) in `rows` order (layout.flat_rows) when flattened from channels-first."""
    tensor: str
    logical: tuple[int, ...]
    rows: np.ndarray | None = None

    @property
    def spatial(self) -> bool:
        return len(self.logical) in (3, 4)


@dataclass
class QGraph:
    tensors: dict[str, QTensor]
    ops: list[QOp]
    input: str
    output: str
    input_perm: tuple[int, ...]  # device input = np.transpose(user input, input_perm)
    input_quant: tuple[float, int, int]  # ONNX input QuantizeLinear's (scale, zero point, shift to int8)
    output_quant: tuple[float, int, int]  # ONNX output DequantizeLinear's (scale, zero point, shift to int8)


def _physical(logical: tuple[int, ...]) -> tuple[int, ...]:
    if len(logical) == 4:
        return (logical[0], logical[2], logical[3], logical[1])
    if len(logical) == 3:
        return (logical[0], logical[2], logical[1])
    return logical


class _Walk:
    def __init__(self, model: OnnxModel):
        from onnx import numpy_helper

        self.model = model
        self.proto = model.proto
        self.init = {i.name: numpy_helper.to_array(i) for i in self.proto.graph.initializer}
        for n in self.proto.graph.node:
            if n.op_type == "Constant":
                self.init[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.shapes = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
                       for v in (*self.proto.graph.value_info, *self.proto.graph.input, *self.proto.graph.output)}
        self.consumers: dict[str, list] = {}
        for n in self.proto.graph.node:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.tensors: dict[str, QTensor] = {}
        self.ops: list[QOp] = []
        self.acts: dict[str, Act] = {}  # float tensor (a DequantizeLinear's output) -> its integer activation
        self.int_acts: dict[str, Act] = {}  # integer tensor (a QuantizeLinear's output) -> activation
        self.weights: dict[str, tuple] = {}  # float tensor of a constant DequantizeLinear -> (ints, scale, zp, axis)
        self.done: set[str] = set()

    def fail(self, node, what: str, hint: str) -> OnnxError:
        name = f"node '{node.name or node.output[0]}' ({node.op_type}): " if node is not None else ""
        return OnnxError(f"'{self.model.path}' (quantized): {name}{what}", hint)

    # --- quantization parameters ---------------------------------------------------------------------------

    def _qparams(self, node) -> tuple[np.ndarray, np.ndarray, str, int]:
        """(scale, zero point as int8, dtype it came from, axis) of a Q/DQ node."""
        scale = self.init.get(node.input[1])
        if scale is None:
            raise self.fail(node, "its scale is not a constant", "export with constant scales")
        zp_name = node.input[2] if len(node.input) > 2 and node.input[2] else None
        if zp_name is not None and zp_name not in self.init:
            raise self.fail(node, "its zero point is not a constant", "export with constant zero points")
        zp = self.init[zp_name] if zp_name else np.zeros(scale.shape, np.uint8)
        attrs = {a.name: a for a in node.attribute}
        if "block_size" in attrs and attrs["block_size"].i:
            raise self.fail(node, "blocked quantization", "quantize per tensor or per channel")
        axis = attrs["axis"].i if "axis" in attrs else 1
        return np.asarray(scale, np.float32).reshape(-1), np.asarray(zp).reshape(-1), zp.dtype.name, axis

    def _as_int8(self, node, values: np.ndarray | None, zp: np.ndarray, dtype: str):
        if dtype == "int8":
            return values, zp.astype(np.int64)
        if dtype == "uint8":  # the same real values, shifted: exact
            shifted = None if values is None else (values.astype(np.int16) - 128).astype(np.int8)
            return shifted, zp.astype(np.int64) - 128
        raise self.fail(node, f"{dtype} quantization", "quantize to int8 or uint8 (QuantType.QInt8): the device's "
                        "kernels are int8")

    # --- graph walk ----------------------------------------------------------------------------------------

    def run(self) -> QGraph:
        qop = [n for n in self.proto.graph.node if n.op_type in QOPERATOR or n.domain not in ("", "ai.onnx")]
        if qop:
            n = qop[0]
            raise self.fail(n, f"{'QOperator format' if n.op_type in QOPERATOR else 'operator of domain ' + n.domain}"
                            f" ({len(qop)} such nodes)", "quantize in QDQ format (quant_format=QuantFormat.QDQ), or "
                            "import the float ONNX model and let `toolchain optimize` quantize it")
        self._weights()
        inp = self._input()
        for node in self.proto.graph.node:
            if node.op_type in ("QuantizeLinear", "DequantizeLinear", "Constant") or node.output[0] in self.done:
                continue
            if node.output[0] in self.weights:
                continue
            handler = OPS.get(node.op_type)
            if node.op_type == "BatchNormalization":
                raise self.fail(node, "a BatchNormalization left in float between quantized ops",
                                "fold it before quantizing: onnxruntime.quantization.quant_pre_process, then "
                                "quantize_static")
            if handler is None:
                raise self.fail(node, "no int8 lowering for this op in a quantized model",
                                f"quantized models may use: {', '.join(sorted(OPS))}; or import the float model")
            handler(self, node)
        return self._finish(inp)

    def _weights(self) -> None:
        """Constant DequantizeLinear inputs: integer initializers, or float ones through a QuantizeLinear (fake-quant
        exports), quantized here as ONNX's QuantizeLinear does (half to even, saturated)."""
        for n in self.proto.graph.node:
            if n.op_type == "QuantizeLinear" and n.input[0] in self.init:
                scale, zp, dtype, axis = self._qparams(n)
                w = np.asarray(self.init[n.input[0]], np.float32)
                shape = [1] * w.ndim
                if scale.size > 1:
                    shape[axis % w.ndim] = scale.size
                info = np.iinfo(zp.dtype)
                q = np.rint(w / scale.reshape(shape)) + zp.astype(np.int64).reshape(shape)
                self.init[n.output[0]] = np.clip(q, info.min, info.max).astype(zp.dtype)
        for n in self.proto.graph.node:
            if n.op_type == "DequantizeLinear" and n.input[0] in self.init:
                scale, zp, dtype, axis = self._qparams(n)
                ints = self.init[n.input[0]]
                if ints.dtype.name not in ("int8", "uint8", "int32"):
                    raise self.fail(n, f"{ints.dtype.name} weights", "quantize weights to int8 (QuantType.QInt8)")
                if ints.dtype.name == "int32":
                    self.weights[n.output[0]] = (ints, scale, zp.astype(np.int64), axis)
                    continue
                ints, zp = self._as_int8(n, ints, zp, ints.dtype.name)
                self.weights[n.output[0]] = (ints, scale, zp, axis)

    def _input(self) -> str:
        name = self.model.input_name
        users = self.consumers.get(name, [])
        if len(users) != 1 or users[0].op_type != "QuantizeLinear":
            raise self.fail(None, f"input '{name}' does not go straight into one QuantizeLinear",
                            "quantize the model input (quantize_static does)")
        q = users[0]
        scale, zp, dtype, _ = self._qparams(q)
        _, zp8 = self._as_int8(q, None, zp, dtype)
        logical = self.model.input_shape
        self.tensors[q.output[0]] = QTensor(q.output[0], _physical(logical), "int8", scale, zp8)
        self._bind(q.output[0], Act(q.output[0], logical))
        self.input_quant = (float(scale[0]), int(zp[0]), -128 if dtype == "uint8" else 0)
        return q.output[0]

    def _bind(self, int_name: str, act: Act) -> None:
        """An integer activation and every DequantizeLinear reading it (which must keep its quantization)."""
        self.int_acts[int_name] = act
        t = self.tensors[act.tensor]
        for dq in self.consumers.get(int_name, []):
            if dq.op_type != "DequantizeLinear":
                raise self.fail(dq, "reads an integer tensor directly", "quantize in QDQ format")
            scale, zp, dtype, _ = self._qparams(dq)
            _, zp8 = self._as_int8(dq, None, zp, dtype)
            if not (np.array_equal(scale, t.scale) and np.array_equal(zp8, t.zero_point)):
                raise self.fail(dq, "dequantizes with other parameters than its QuantizeLinear",
                                "keep each QuantizeLinear/DequantizeLinear pair's scale and zero point equal")
            self.acts[dq.output[0]] = act
            self.done.add(dq.output[0])

    def act(self, node, i: int) -> Act:
        name = node.input[i]
        if name not in self.acts:
            raise self.fail(node, f"input '{name}' is not a dequantized activation (a float tensor between "
                            "quantized ops)", "quantize every op's inputs (quantize_static with the op listed in "
                            "op_types_to_quantize)")
        return self.acts[name]

    def weight(self, node, i: int, float_ok: bool = False):
        """The quantized constant input i (ints, scale, zero point, axis), None when absent; with `float_ok` (a
        bias), a float constant as it is."""
        name = node.input[i] if len(node.input) > i else ""
        if float_ok and name in self.init and self.init[name].dtype.kind == "f":
            return self.init[name]
        if name and name not in self.weights:
            raise self.fail(node, f"input '{name}' is not a quantized constant", "quantize the weights too")
        return self.weights.get(name)

    def output_quant(self, node) -> tuple[str, QTensor]:
        """The QuantizeLinear after `node`: its integer tensor (created here, shape set by the caller)."""
        users = self.consumers.get(node.output[0], [])
        if len(users) != 1 or users[0].op_type != "QuantizeLinear" or node.output[0] == self.model.output_name:
            raise self.fail(node, "its output is not quantized by exactly one QuantizeLinear",
                            "quantize every op's output (a float op between quantized ones has no int8 equivalent)")
        q = users[0]
        scale, zp, dtype, _ = self._qparams(q)
        _, zp8 = self._as_int8(q, None, zp, dtype)
        if scale.size != 1:
            raise self.fail(q, "per-channel activation quantization", "quantize activations per tensor")
        t = QTensor(q.output[0], (), "int8", scale, zp8)
        self.tensors[q.output[0]] = t
        self.done.add(node.output[0])
        return q.output[0], t

    def emit(self, node, op: str, inputs: list[str], out: Act, **options) -> None:
        self.ops.append(QOp(op, inputs, out.tensor, options, node.name or node.output[0]))
        self._bind(out.tensor, out)

    def const(self, name: str, data: np.ndarray, dtype: str, scale=None, zp=None, axis=0) -> str:
        self.tensors[name] = QTensor(name, tuple(data.shape), dtype, scale, zp, axis, data)
        return name

    def reshaped(self, a: Act, shape: tuple[int, ...], node) -> str:
        """a's tensor with physical `shape` (a RESHAPE when it differs)."""
        t = self.tensors[a.tensor]
        if t.shape == shape:
            return a.tensor
        name = f"{a.tensor}/reshaped_{'x'.join(map(str, shape))}"
        if name not in self.tensors:
            self.tensors[name] = QTensor(name, shape, "int8", t.scale, t.zero_point)
            shape_t = self.const(f"{name}/shape", np.array(shape, np.int32), "int32")
            self.ops.append(QOp("RESHAPE", [a.tensor, shape_t], name, {"new_shape": list(shape)},
                                node.name or node.output[0]))
        return name

    def _finish(self, inp: str) -> QGraph:
        out = self.model.output_name
        dq = next((n for n in self.proto.graph.node if out in n.output), None)
        if dq is None or dq.op_type != "DequantizeLinear" or dq.input[0] not in self.int_acts:
            raise self.fail(dq, f"output '{out}' is not a dequantized activation",
                            "quantize the last op's output too")
        a = self.int_acts[dq.input[0]]
        if a.rows is not None or (a.spatial and any(s != 1 for s in a.logical[2:])):
            raise self.fail(dq, f"the output stays channels-first ({a.logical})",
                            "end the model with a Flatten, a global pooling or a Linear layer")
        scale, zp, dtype, _ = self._qparams(dq)
        perm = layout.CHANNELS_LAST.get(len(self.model.input_shape), layout.identity(len(self.model.input_shape)))
        return QGraph(self.tensors, self.ops, inp, a.tensor, tuple(perm), self.input_quant,
                      (float(scale[0]), int(zp[0]), -128 if dtype == "uint8" else 0))


# --- one function per ONNX op ----------------------------------------------------------------------------------


def _attrs(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _padding(w: _Walk, node, spatial, kernel, strides, dilations, pads) -> tuple[str, list | None]:
    """'VALID', 'SAME' (TF's split), or 'VALID' after an explicit PAD (the pads returned)."""
    n = len(kernel)
    auto = _attrs(node).get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto == "VALID" or not any(pads) and auto == "NOTSET":
        return "VALID", None
    same = []
    for size, k, s, d in zip(spatial, kernel, strides, dilations):
        total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
        same.append((total // 2, total - total // 2))
    if auto == "SAME_UPPER" or pads == [b for b, _ in same] + [e for _, e in same]:
        return "SAME", None
    if auto == "SAME_LOWER":
        raise w.fail(node, "auto_pad SAME_LOWER", "pad explicitly or with SAME_UPPER")
    return "VALID", [(pads[i], pads[i + n]) for i in range(n)]


def _spatial_in(w: _Walk, node, a: Act) -> tuple[str, tuple[int, ...]]:
    """The input as N, H, W, C (a 1-D one as N, 1, L, C) and its H, W."""
    if not a.spatial or a.rows is not None:
        raise w.fail(node, f"takes a tensor of rank {len(a.logical)}", "apply it to a channels-first 1-D or 2-D map")
    hw = tuple(a.logical[2:]) if len(a.logical) == 4 else (1, a.logical[2])
    return w.reshaped(a, (a.logical[0], *hw, a.logical[1]), node), hw


def _window(node, a: Act, kernel=None) -> dict:
    """Kernel, strides, dilations and pads of a Conv or pool (`kernel`: the weights' when not an attribute), a 1-D
    one as 2-D of height 1."""
    at = _attrs(node)
    k = list(kernel if kernel is not None else at["kernel_shape"])
    n = len(k)
    strides, dil = list(at.get("strides", [1] * n)), list(at.get("dilations", [1] * n))
    pads = list(at.get("pads", [0] * 2 * n))
    if len(a.logical) == 3:  # 1-D as height 1
        k, strides, dil, pads = [1, *k], [1, *strides], [1, *dil], [0, pads[0], 0, pads[1]]
    return {"kernel": k, "strides": strides, "dilations": dil, "pads": pads}


def _pad_op(w: _Walk, node, x: str, hw, pads) -> str:
    t = w.tensors[x]
    shape = (t.shape[0], hw[0] + sum(pads[0]), hw[1] + sum(pads[1]), t.shape[3])
    name = f"{x}/padded"
    w.tensors[name] = QTensor(name, shape, "int8", t.scale, t.zero_point)
    paddings = w.const(f"{name}/paddings", np.array([(0, 0), *pads, (0, 0)], np.int32), "int32")
    w.ops.append(QOp("PAD", [x, paddings], name, {}, node.name or node.output[0]))
    return name


def _bias(w: _Walk, node, b, n: int, in_scale: float, w_scale: np.ndarray, name: str) -> str:
    """The int32 bias as the device takes it. `b`: the quantized constant; a float one (left float by the exporter),
    quantized here to input scale x weight scale; or None."""
    data = np.zeros(n, np.int32)
    product = np.float64(np.float32(in_scale)) * np.broadcast_to(w_scale, (n,)).astype(np.float64)
    if isinstance(b, np.ndarray):
        data = np.clip(np.rint(b.reshape(-1).astype(np.float64) / product), -2**31, 2**31 - 1).astype(np.int32)
    elif b is not None:
        ints, scale, zp, _ = b
        if ints.dtype != np.int32 or np.any(zp) or ints.size != n:
            raise w.fail(node, "its bias is not int32 with zero point 0", "quantize the bias (quantize_static does)")
        expected = np.float32(in_scale) * np.broadcast_to(w_scale, (n,)).astype(np.float32)
        if not np.allclose(np.broadcast_to(scale, (n,)), expected, rtol=1e-5):
            raise w.fail(node, "its bias scale is not input scale x weight scale",
                         "quantize the bias with scale input_scale * weight_scale")
        data = ints.reshape(-1).astype(np.int32)
    return w.const(name, data, "int32", np.float32(in_scale) * np.broadcast_to(w_scale, (n,)).astype(np.float32),
                   np.zeros(n, np.int64))


def _check_weights(w: _Walk, node, wt, out_axis: int):
    ints, scale, zp, axis = wt
    if np.any(zp):
        raise w.fail(node, "weights with a nonzero zero point (asymmetric weights)",
                     "quantize weights symmetrically (WeightSymmetric, the default for QInt8 weights)")
    if scale.size > 1 and axis % ints.ndim != out_axis:
        raise w.fail(node, f"per-channel weight scales along axis {axis}, not the output channels",
                     "quantize per output channel or per tensor")
    return ints, scale


def conv(w: _Walk, node) -> None:
    a = w.act(node, 0)
    ints, wscale = _check_weights(w, node, w.weight(node, 1), 0)
    at = _attrs(node)
    group = at.get("group", 1)
    x, hw = _spatial_in(w, node, a)
    win = _window(node, a, kernel=ints.shape[2:])
    padding, pads = _padding(w, node, hw, win["kernel"], win["strides"], win["dilations"], win["pads"])
    if pads:
        x, hw = _pad_op(w, node, x, hw, pads), tuple(s + sum(p) for s, p in zip(hw, pads))
    c_in, c_out = a.logical[1], ints.shape[0]
    k4 = ints.reshape(c_out, ints.shape[1], *win["kernel"])
    out_hw = [-(-s // st) if padding == "SAME" else (s - (k - 1) * d - 1) // st + 1
              for s, k, d, st in zip(hw, win["kernel"], win["dilations"], win["strides"])]
    name, t = w.output_quant(node)
    t.shape = (a.logical[0], *out_hw, c_out)
    in_scale = float(w.tensors[x].scale[0])
    opts = {"padding": padding, "stride": win["strides"], "dilation": win["dilations"]}
    if group == 1:
        kernel = w.const(f"{name}/weights", np.transpose(k4, (0, 2, 3, 1)), "int8", wscale, np.zeros(wscale.size,
                         np.int64), 0)
        op = "CONV_2D"
    elif group == c_in and ints.shape[1] == 1:
        kernel = w.const(f"{name}/weights", np.transpose(k4, (1, 2, 3, 0)), "int8", wscale, np.zeros(wscale.size,
                         np.int64), 3)
        op, opts["depth_multiplier"] = "DEPTHWISE_CONV_2D", c_out // c_in
    else:
        raise w.fail(node, f"a grouped convolution ({group} groups of {c_in // group} channels)",
                     "use plain or depthwise convolutions")
    bias = _bias(w, node, w.weight(node, 2, float_ok=True), c_out, in_scale, wscale, f"{name}/bias")
    logical = (a.logical[0], c_out, *out_hw) if len(a.logical) == 4 else (a.logical[0], c_out, out_hw[1])
    w.emit(node, op, [x, kernel, bias], Act(name, logical), **opts)


def dense(w: _Walk, node) -> None:
    """Gemm (alpha = beta = 1) and MatMul by a quantized constant: FULLY_CONNECTED."""
    a = w.act(node, 0)
    at = _attrs(node)
    if node.op_type == "Gemm" and (at.get("alpha", 1.0) != 1.0 or at.get("beta", 1.0) != 1.0 or at.get("transA", 0)):
        raise w.fail(node, "Gemm with alpha, beta or transA", "export a plain Linear layer")
    if len(a.logical) != 2:
        raise w.fail(node, f"a matrix product of a rank-{len(a.logical)} tensor", "flatten before the Linear layer")
    wt = w.weight(node, 1)
    if wt is None:
        raise w.fail(node, "a product of two activations", "multiply by constant weights only")
    transposed = node.op_type == "Gemm" and at.get("transB", 0)
    ints, wscale = _check_weights(w, node, wt, 0 if transposed else 1)
    matrix = ints if transposed else ints.T  # (out, in)
    if a.rows is not None:
        matrix = matrix[:, a.rows]
    name, t = w.output_quant(node)
    n_out = matrix.shape[0]
    t.shape = (a.logical[0], n_out)
    x = w.reshaped(a, (a.logical[0], a.logical[1]), node)
    in_scale = float(w.tensors[x].scale[0])
    kernel = w.const(f"{name}/weights", np.ascontiguousarray(matrix), "int8", wscale, np.zeros(wscale.size, np.int64))
    b = w.weight(node, 2, float_ok=True) if node.op_type == "Gemm" else None
    bias = _bias(w, node, b, n_out, in_scale, wscale, f"{name}/bias")
    w.emit(node, "FULLY_CONNECTED", [x, kernel, bias], Act(name, (a.logical[0], n_out)))


def _same_quant(w: _Walk, node, a: Act, t: QTensor) -> None:
    src = w.tensors[a.tensor]
    if not (np.array_equal(src.scale, t.scale) and np.array_equal(src.zero_point, t.zero_point)):
        raise w.fail(node, "its output is quantized differently from its input",
                     "give this op's output its input's scale and zero point (quantize_static does)")


def reshape(w: _Walk, node) -> None:
    """To (N, features): the device's bytes stay in place; a Linear layer after it takes `rows`."""
    a = w.act(node, 0)
    shape = w.shapes.get(node.output[0])
    if not shape or 0 in shape:
        raise w.fail(node, "unknown output shape", "export with static shapes")
    name, t = w.output_quant(node)
    _same_quant(w, node, a, t)
    if len(shape) == 2:
        rows = layout.flat_rows(a.logical, layout.CHANNELS_LAST[len(a.logical)]) if a.spatial else a.rows
        t.shape = tuple(shape)
    elif a.spatial and len(shape) in (3, 4) and tuple(shape[:2]) == a.logical[:2] and \
            [s for s in shape[2:] if s != 1] == [s for s in a.logical[2:] if s != 1]:
        rows, t.shape = None, _physical(tuple(shape))  # a 1-D map given a height of 1, or the reverse: same bytes
    else:
        raise w.fail(node, f"reshapes {a.logical} to {tuple(shape)}",
                     "only a flatten to (batch, features) is lowered without a TRANSPOSE")
    w.ops.append(QOp("RESHAPE", [a.tensor, w.const(f"{name}/shape", np.array(t.shape, np.int32), "int32")], name,
                     {"new_shape": list(t.shape)}, node.name or node.output[0]))
    w._bind(name, Act(name, tuple(shape), rows))


def pool(w: _Walk, node) -> None:
    a = w.act(node, 0)
    at = _attrs(node)
    if at.get("ceil_mode", 0) or at.get("storage_order", 0):
        raise w.fail(node, "ceil_mode or storage_order", "pool with the defaults")
    x, hw = _spatial_in(w, node, a)
    win = _window(node, a)
    padding, pads = _padding(w, node, hw, win["kernel"], win["strides"], win["dilations"], win["pads"])
    if pads or any(d != 1 for d in win["dilations"]) or (padding == "SAME" and node.op_type == "AveragePool"
                                                          and at.get("count_include_pad", 0)):
        raise w.fail(node, f"pads {win['pads']}", "pool without padding, or with padding that keeps the size")
    name, t = w.output_quant(node)
    _same_quant(w, node, a, t)
    out_hw = [-(-s // st) if padding == "SAME" else (s - k) // st + 1
              for s, k, st in zip(hw, win["kernel"], win["strides"])]
    t.shape = (a.logical[0], *out_hw, a.logical[1])
    logical = (a.logical[0], a.logical[1], *out_hw) if len(a.logical) == 4 else (a.logical[0], a.logical[1], out_hw[1])
    op = "MAX_POOL_2D" if node.op_type == "MaxPool" else "AVERAGE_POOL_2D"
    w.emit(node, op, [x], Act(name, logical), padding=padding, stride=win["strides"], filter=win["kernel"])


def global_average(w: _Walk, node) -> None:
    a = w.act(node, 0)
    x, _ = _spatial_in(w, node, a)
    name, t = w.output_quant(node)
    t.shape = (a.logical[0], 1, 1, a.logical[1])
    axes = w.const(f"{name}/axes", np.array([1, 2], np.int32), "int32")
    w.emit(node, "MEAN", [x, axes], Act(name, (a.logical[0], a.logical[1], *[1] * (len(a.logical) - 2))),
           keep_dims=True)


def add(w: _Walk, node) -> None:
    a, b = w.act(node, 0), w.act(node, 1)
    if a.logical != b.logical or w.tensors[a.tensor].shape != w.tensors[b.tensor].shape or a.rows is not None \
            or b.rows is not None:
        raise w.fail(node, f"adds {a.logical} and {b.logical} (broadcast or different layouts)",
                     "add tensors of one shape")
    name, t = w.output_quant(node)
    t.shape = w.tensors[a.tensor].shape
    w.emit(node, "ADD", [a.tensor, b.tensor], Act(name, a.logical, a.rows))


def activation(w: _Walk, node) -> None:
    """Relu, and Clip from 0 (to 6: RELU6), left standalone between quantized ops."""
    a = w.act(node, 0)
    op = "RELU"
    if node.op_type == "Clip":
        lo = float(w.init[node.input[1]]) if len(node.input) > 1 and node.input[1] else -np.inf
        hi = float(w.init[node.input[2]]) if len(node.input) > 2 and node.input[2] else np.inf
        if lo != 0 or hi not in (6.0, np.inf):
            raise w.fail(node, f"Clip({lo}, {hi})", "only ReLU (Clip from 0) and ReLU6 (Clip 0..6) are lowered")
        op = "RELU6" if hi == 6.0 else "RELU"
    name, t = w.output_quant(node)
    t.shape = w.tensors[a.tensor].shape
    w.emit(node, op, [a.tensor], Act(name, a.logical, a.rows))


def softmax(w: _Walk, node) -> None:
    """TFLite's int8 SOFTMAX writes scale 1/256, zero point -128 (TFLM insists); ONNX Runtime's quantize_static
    gives 1/255: then a QUANTIZE requantizes, which the import's check measures like any other rounding."""
    a = w.act(node, 0)
    if len(a.logical) != 2 or _attrs(node).get("axis", -1) not in (-1, 1):
        raise w.fail(node, f"softmax over axis {_attrs(node).get('axis', -1)} of {a.logical}",
                     "apply Softmax to the (batch, classes) output of a Linear layer")
    name, t = w.output_quant(node)
    t.shape = w.tensors[a.tensor].shape
    if np.isclose(t.scale[0], SOFTMAX_SCALE, rtol=1e-6) and int(t.zero_point[0]) == SOFTMAX_ZP:
        t.scale = np.array([SOFTMAX_SCALE], np.float32)
        w.emit(node, "SOFTMAX", [a.tensor], Act(name, a.logical, a.rows), beta=1.0)
        return
    tmp = f"{name}/softmax"
    w.tensors[tmp] = QTensor(tmp, t.shape, "int8", np.array([SOFTMAX_SCALE], np.float32), np.array([SOFTMAX_ZP]))
    w.ops.append(QOp("SOFTMAX", [a.tensor], tmp, {"beta": 1.0}, node.name or node.output[0]))
    w.emit(node, "QUANTIZE", [tmp], Act(name, a.logical, a.rows))


def passthrough(w: _Walk, node) -> None:
    """Identity, Dropout: the input's quantization must carry through, so the integer tensor is shared."""
    a = w.act(node, 0)
    users = w.consumers.get(node.output[0], [])
    if len(users) == 1 and users[0].op_type == "QuantizeLinear":
        name, t = w.output_quant(node)
        _same_quant(w, node, a, t)
        del w.tensors[name]
        w.done.add(node.output[0])
        w._bind(name, a)
    else:
        w.acts[node.output[0]] = a
        w.done.add(node.output[0])


OPS = {"Conv": conv, "Gemm": dense, "MatMul": dense, "Flatten": reshape, "Reshape": reshape, "Squeeze": reshape,
       "Unsqueeze": reshape, "MaxPool": pool, "AveragePool": pool, "GlobalAveragePool": global_average, "Add": add,
       "Relu": activation, "Clip": activation, "Softmax": softmax, "Identity": passthrough, "Dropout": passthrough}


def to_int8_graph(model: OnnxModel) -> QGraph:
    """The int8 ops of a QDQ model, or one OnnxError naming what has no exact int8 equivalent."""
    return _Walk(model).run()
