"""The values the lowering passes along (Value, Context), and one function per ONNX op that computes: the Keras
layer it becomes."""

import math
from dataclasses import dataclass, field

import numpy as np

from toolchain.importer import layout
from toolchain.importer.errors import OnnxError


@dataclass
class Value:
    t: object  # Keras tensor in the physical layout
    perm: tuple[int, ...]
    rows: np.ndarray | None = None  # after a Flatten of a permuted tensor (layout.flat_rows)

    @property
    def logical(self) -> tuple[int, ...]:
        return layout.logical_shape(tuple(self.t.shape), self.perm)


@dataclass
class Context:
    keras: object
    constants: dict[str, np.ndarray]
    values: dict[str, Value]
    uses: dict[str, int]
    weights: dict = field(default_factory=dict)  # layer -> [kernel, bias], set once the model is built
    producer: dict = field(default_factory=dict)  # tensor -> (layer, kind) whose weights may still absorb an affine op
    folded: list[str] = field(default_factory=list)

    def attrs(self, node) -> dict:
        from onnx import helper

        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def value(self, name: str) -> Value:
        if name not in self.values:
            raise OnnxError(f"input '{name}' is not computed from the model input", "constant-fold the model first")
        return self.values[name]

    def put(self, node, t, perm, rows=None) -> None:
        self.values[node.output[0]] = Value(t, tuple(perm), rows)

    def layer(self, node, layer, x: Value, weights=None, kind=None) -> None:
        """Apply `layer` to x (layout kept); remember weights, and the layer as foldable when it has them."""
        self.put(node, layer(x.t), x.perm)
        if weights is not None:
            self.weights[layer] = weights
            self.producer[node.output[0]] = (layer, kind)


def _spatial(x: Value, node) -> int:
    rank = len(x.perm)
    if rank not in layout.CHANNELS_LAST or x.perm != layout.CHANNELS_LAST[rank] or x.rows is not None:
        raise OnnxError(f"takes a channels-first tensor of rank 3 or 4, got layout {x.perm}",
                        "the importer lowers 1-D and 2-D convolutions and pools")
    return rank - 2


def _padding(node, a: dict, x: Value, kernel, strides, dilations) -> tuple[str, list[int]]:
    """'valid', 'same' (TF's split of the padding), or explicit (begin..., end...) pads."""
    n = len(kernel)
    pads = list(a.get("pads", [0] * 2 * n))
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        return ("valid" if auto == "VALID" else "same"), pads
    if not any(pads):
        return "valid", pads
    spatial = x.logical[2:]
    same = []
    for size, k, s, d in zip(spatial, kernel, strides, dilations):
        total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
        same.append((total // 2, total - total // 2))
    if pads == [b for b, _ in same] + [e for _, e in same]:
        return "same", pads
    return "explicit", pads


def conv(ctx: Context, node) -> None:
    k = ctx.keras.layers
    x = ctx.value(node.input[0])
    dims = _spatial(x, node)
    w = ctx.constants[node.input[1]]
    bias = ctx.constants[node.input[2]] if len(node.input) > 2 and node.input[2] else np.zeros(w.shape[0], np.float32)
    a = ctx.attrs(node)
    kernel = tuple(w.shape[2:])
    strides, dilations = tuple(a.get("strides", [1] * dims)), tuple(a.get("dilations", [1] * dims))
    padding, pads = _padding(node, a, x, kernel, strides, dilations)
    if padding == "explicit":
        pad = k.ZeroPadding1D((pads[0], pads[1])) if dims == 1 else k.ZeroPadding2D(((pads[0], pads[2]),
                                                                                     (pads[1], pads[3])))
        x, padding = Value(pad(x.t), x.perm), "valid"
    group, channels = a.get("group", 1), x.logical[1]
    common = dict(kernel_size=kernel, strides=strides, dilation_rate=dilations, padding=padding)
    spatial_axes = tuple(range(2, 2 + dims))
    if group == 1:
        layer = (k.Conv1D if dims == 1 else k.Conv2D)(w.shape[0], **common)
        weights = [w.transpose(*spatial_axes, 1, 0), bias]
        kind = "conv"
    elif group == channels and w.shape[1] == 1:
        mult = w.shape[0] // channels
        layer = (k.DepthwiseConv1D if dims == 1 else k.DepthwiseConv2D)(depth_multiplier=mult, **common)
        weights = [w.reshape(channels, mult, *kernel).transpose(*spatial_axes, 0, 1), bias]
        kind = "depthwise"
    else:
        raise OnnxError(f"grouped convolution with {group} groups of {channels} channels",
                        "the importer lowers plain (group 1) and depthwise (group = channels) convolutions")
    ctx.layer(node, layer, x, [np.asarray(v, np.float32) for v in weights], kind)


def gemm(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    a = ctx.attrs(node)
    if node.input[1] not in ctx.constants or a.get("transA", 0) or len(x.perm) != 2:
        raise OnnxError("takes a 2-D input times constant weights", "the importer lowers Linear layers")
    w = ctx.constants[node.input[1]] * a.get("alpha", 1.0)
    kernel = w.T if a.get("transB", 0) else w
    bias = (ctx.constants[node.input[2]] * a.get("beta", 1.0) if len(node.input) > 2 and node.input[2]
            else np.zeros(kernel.shape[1], np.float32))
    _dense(ctx, node, x, kernel, np.broadcast_to(bias, (kernel.shape[1],)))


def matmul(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    if node.input[1] not in ctx.constants or ctx.constants[node.input[1]].ndim != 2:
        raise OnnxError("takes constant 2-D weights", "the importer lowers Linear layers")
    if x.perm[-1] != len(x.perm) - 1:
        raise OnnxError("multiplies over an axis the device holds elsewhere", "flatten before the Linear layer")
    kernel = ctx.constants[node.input[1]]
    _dense(ctx, node, x, kernel, np.zeros(kernel.shape[1], np.float32))


def _dense(ctx: Context, node, x: Value, kernel, bias) -> None:
    if x.rows is not None:  # a Flatten of a channels-first tensor: its rows arrive in the device's order
        kernel = kernel[x.rows]
    ctx.layer(node, ctx.keras.layers.Dense(kernel.shape[1]), Value(x.t, x.perm),
              [np.asarray(kernel, np.float32), np.asarray(bias, np.float32).copy()], "dense")


def _fold(ctx: Context, node, scale, shift) -> bool:
    """Fold y = x * scale + shift (per output channel) into the layer that made x, if x has no other use."""
    src = node.input[0]
    if src not in ctx.producer or ctx.uses.get(src, 0) != 1:
        return False
    layer, kind = ctx.producer.pop(src)
    kernel, bias = ctx.weights[layer]
    if kind == "depthwise":
        kernel = kernel * scale.reshape(kernel.shape[-2:])
    else:
        kernel = kernel * scale
    ctx.weights[layer] = [kernel.astype(np.float32), (bias * scale + shift).astype(np.float32)]
    ctx.values[node.output[0]] = ctx.values[src]
    ctx.producer[node.output[0]] = (layer, kind)
    ctx.folded.append(node.name or node.output[0])
    return True


def batchnorm(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    gamma, beta, mean, var = (ctx.constants[i] for i in node.input[1:5])
    eps = ctx.attrs(node).get("epsilon", 1e-5)
    scale = gamma / np.sqrt(var + eps)
    if _fold(ctx, node, scale, beta - mean * scale):
        return
    layer = ctx.keras.layers.BatchNormalization(axis=layout.physical_axis(x.perm, 1), epsilon=eps)
    ctx.layer(node, layer, x, [gamma, beta, mean, var])
    ctx.producer.pop(node.output[0])


def _channel_constant(ctx: Context, node, c: np.ndarray) -> np.ndarray | None:
    """c as one value per channel (axis 1) of the other input, or None when it is not that shape."""
    x = ctx.values.get(node.input[0])
    if x is None or c.size not in (1, x.logical[1]):
        return None
    if c.size > 1 and c.ndim and (c.ndim > len(x.perm) or c.shape[-(len(x.perm) - 1)] != c.size):
        return None
    return np.broadcast_to(c.reshape(-1), (x.logical[1],)).astype(np.float32)


def binary(ctx: Context, node) -> None:
    k = ctx.keras.layers
    if node.input[1] in ctx.constants:
        c = _channel_constant(ctx, node, ctx.constants[node.input[1]])
        ones, zeros = np.ones_like(c) if c is not None else None, np.zeros_like(c) if c is not None else None
        affine = {"Add": (ones, c), "Sub": (ones, -c if c is not None else None), "Mul": (c, zeros)}.get(node.op_type)
        if c is not None and affine and _fold(ctx, node, *affine):
            return
        raise OnnxError("an elementwise op with a constant that no layer before it can absorb",
                        "the importer folds per-channel constants into the convolution or Linear layer before them")
    x, y = ctx.value(node.input[0]), ctx.value(node.input[1])
    if x.perm != y.perm or x.rows is not None or y.rows is not None:
        raise OnnxError("two inputs in different layouts", "give both inputs the same layout")
    layer = {"Add": k.Add, "Sub": k.Subtract, "Mul": k.Multiply}[node.op_type]()
    ctx.put(node, layer([x.t, y.t]), x.perm)


def activation(ctx: Context, node) -> None:
    k = ctx.keras.layers
    x = ctx.value(node.input[0])
    a = ctx.attrs(node)
    if node.op_type == "Relu":
        layer = k.ReLU()
    elif node.op_type == "Clip":
        lo, hi = (float(ctx.constants[i]) if len(node.input) > n and node.input[n] else d
                  for n, i, d in ((1, node.input[1] if len(node.input) > 1 else "", -np.inf),
                                  (2, node.input[2] if len(node.input) > 2 else "", np.inf)))
        if lo != 0:
            raise OnnxError(f"Clip({lo}, {hi}) is not a ReLU or ReLU6", "the importer lowers Clip from 0")
        layer = k.ReLU(max_value=None if np.isinf(hi) else hi)
    elif node.op_type == "LeakyRelu":
        layer = k.LeakyReLU(alpha=a.get("alpha", 0.01))
    else:
        layer = k.Activation({"Sigmoid": "sigmoid", "Tanh": "tanh"}[node.op_type])
    ctx.put(node, layer(x.t), x.perm, x.rows)


def softmax(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    axis = layout.physical_axis(x.perm, ctx.attrs(node).get("axis", -1))
    if x.rows is not None:
        raise OnnxError("softmax over a flattened channels-first tensor", "apply it after a Linear layer")
    ctx.put(node, ctx.keras.layers.Softmax(axis=axis)(x.t), x.perm)


def pool(ctx: Context, node) -> None:
    k = ctx.keras.layers
    x = ctx.value(node.input[0])
    dims = _spatial(x, node)
    a = ctx.attrs(node)
    kernel = tuple(a["kernel_shape"])
    strides = tuple(a.get("strides", [1] * dims))
    padding, _ = _padding(node, a, x, kernel, strides, (1,) * dims)
    if padding == "explicit" or a.get("ceil_mode", 0) or a.get("count_include_pad", 0) and padding != "valid":
        raise OnnxError(f"pads {list(a.get('pads'))} (ceil_mode {a.get('ceil_mode', 0)}) differ from 'same'",
                        "pool without padding, or with padding that keeps the size")
    kind = "Max" if node.op_type == "MaxPool" else "Average"
    layer = getattr(k, f"{kind}Pooling{dims}D")(kernel, strides, padding=padding)
    ctx.put(node, layer(x.t), x.perm)


def global_pool(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    dims = _spatial(x, node)
    kind = "Max" if node.op_type == "GlobalMaxPool" else "Average"
    ctx.put(node, getattr(ctx.keras.layers, f"Global{kind}Pooling{dims}D")(keepdims=True)(x.t), x.perm)
