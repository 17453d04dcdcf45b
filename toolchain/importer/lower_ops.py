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
    made_by: dict = field(default_factory=dict)  # tensor -> the ONNX node that computes it
    opset: int = 18

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


def spatial_dims(x: Value) -> int:
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
    dims = spatial_dims(x)
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


def _fold(ctx: Context, node, scale, shift, src: str | None = None) -> bool:
    """Fold y = x * scale + shift (per output channel) into the layer that made x (input 0, or `src`), if x has no
    other use."""
    src = src or node.input[0]
    if src not in ctx.producer or ctx.uses.get(src, 0) != 1:
        return False
    layer, kind = ctx.producer.pop(src)
    kernel, bias = ctx.weights[layer]
    if kind == "depthwise":
        kernel = kernel * scale.reshape(kernel.shape[-2:])
    elif kind == "transpose":  # Conv2DTranspose's kernel is (kh, kw, out, in)
        kernel = kernel * scale[:, np.newaxis]
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


def _channel_constant(ctx: Context, node, c: np.ndarray, name: str) -> np.ndarray | None:
    """c as one value per channel (axis 1) of the other input `name`, or None when it is not that shape."""
    x = ctx.values.get(name)
    if x is None or c.size not in (1, x.logical[1]):
        return None
    if c.size > 1 and c.ndim and (c.ndim > len(x.perm) or c.shape[-(len(x.perm) - 1)] != c.size):
        return None
    return np.broadcast_to(c.reshape(-1), (x.logical[1],)).astype(np.float32)


def binary(ctx: Context, node) -> None:
    k = ctx.keras.layers
    first, second = node.input[0], node.input[1]
    if first in ctx.constants and node.op_type in ("Add", "Mul") and second not in ctx.constants:
        first, second = second, first
    if second in ctx.constants or first in ctx.constants:
        _with_constant(ctx, node, first, second)
        return
    x, y = ctx.value(first), ctx.value(second)
    if x.perm != y.perm or x.rows is not None or y.rows is not None:
        raise OnnxError("two inputs in different layouts", "give both inputs the same layout")
    if node.op_type == "Div":
        raise OnnxError("divides by a computed tensor", "the importer lowers division by a constant")
    layer = {"Add": k.Add, "Sub": k.Subtract, "Mul": k.Multiply}[node.op_type]()
    ctx.put(node, layer([x.t, y.t]), x.perm)


def _with_constant(ctx: Context, node, name: str, const: str) -> None:
    """x op c: folded into the layer before x when c is per channel, a Rescaling (MUL/ADD) when c is one number."""
    if name in ctx.constants:  # c - x or c / x (Add and Mul were put in x op c order)
        name, const = const, name
        c = np.asarray(ctx.constants[const], np.float32)
        if node.op_type == "Div":
            raise OnnxError("divides a constant by a computed tensor", "the importer lowers division by a constant")
        if c.size != 1:
            raise OnnxError("subtracts a tensor from a constant of several values", "rewrite it as x * -1 + c")
        x = ctx.value(name)
        ctx.put(node, ctx.keras.layers.Rescaling(-1.0, float(c.reshape(-1)[0]))(x.t), x.perm, x.rows)
        return
    c = _channel_constant(ctx, node, np.asarray(ctx.constants[const], np.float32), name)
    if c is not None:
        ones, zeros = np.ones_like(c), np.zeros_like(c)
        if node.op_type == "Div" and not np.all(c):
            raise OnnxError("divides by a constant that holds zeros", "fix the model's constant (or add an epsilon)")
        affine = {"Add": lambda: (ones, c), "Sub": lambda: (ones, -c), "Mul": lambda: (c, zeros),
                  "Div": lambda: (1 / c, zeros)}[node.op_type]()
        if _fold(ctx, node, *affine, src=name):
            return
        x = ctx.value(name)
        if np.all(c == c[0]):
            scale, offset = float(affine[0][0]), float(affine[1][0])
            ctx.put(node, ctx.keras.layers.Rescaling(scale, offset)(x.t), x.perm, x.rows)
            return
        if len(x.perm) in layout.CHANNELS_LAST and x.perm == layout.CHANNELS_LAST[len(x.perm)] and x.rows is None:
            # per-channel input normalisation ((x - mean) / std): a 1x1 depthwise convolution, which what follows
            # can fold into in turn
            dims = len(x.perm) - 2
            layer = (ctx.keras.layers.DepthwiseConv1D if dims == 1 else ctx.keras.layers.DepthwiseConv2D)(1)
            kernel = np.asarray(affine[0], np.float32).reshape((1,) * dims + (-1, 1))
            ctx.layer(node, layer, x, [kernel, np.asarray(affine[1], np.float32)], "depthwise")
            return
    raise OnnxError("an elementwise op with a per-channel constant that no layer before it can absorb",
                    "the importer folds per-channel constants into the convolution or Linear layer before them")


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
    if x.rows is not None:
        raise OnnxError("softmax over a flattened channels-first tensor", "apply it after a Linear layer")
    rank = len(x.perm)
    axis = ctx.attrs(node).get("axis", 1 if ctx.opset < 13 else -1) % rank
    k = ctx.keras.layers
    if ctx.opset >= 13 or axis == rank - 1:
        ctx.put(node, k.Softmax(axis=layout.physical_axis(x.perm, axis))(x.t), x.perm)
        return
    # Below opset 13, Softmax normalises over the input seen as 2-D: every axis from `axis` on at once.
    if x.perm != layout.identity(rank):
        raise OnnxError(f"opset {ctx.opset} softmax from axis {axis} of a channels-first tensor",
                        "re-export with opset 13 or later, or apply it after a Linear layer")
    flat = k.Softmax(axis=-1)(k.Reshape((*x.logical[1:axis], int(np.prod(x.logical[axis:]))))(x.t))
    ctx.put(node, k.Reshape(tuple(x.logical[1:]))(flat), x.perm)


def zero_padding(k, t, dims: int, begin, end):
    if dims == 1:
        return k.ZeroPadding1D((int(begin[0]), int(end[0])))(t)
    return k.ZeroPadding2D(((int(begin[0]), int(end[0])), (int(begin[1]), int(end[1]))))(t)


def _pool_size(size: int, k: int, s: int, begin: int, end: int, ceil: bool) -> int:
    span = size + begin + end - k
    return (-(-span // s) if ceil else span // s) + 1


def pool(ctx: Context, node) -> None:
    """MaxPool and AveragePool. Explicit padding: zeros counted in the average (count_include_pad) become a PAD;
    padding TF's 'same' would choose is 'same' (which never counts it); ceil_mode is lowered where 'same' or
    'valid' gives the same windows."""
    k = ctx.keras.layers
    x = ctx.value(node.input[0])
    dims = spatial_dims(x)
    a = ctx.attrs(node)
    kernel = tuple(a["kernel_shape"])
    strides = tuple(a.get("strides", [1] * dims))
    if any(d != 1 for d in a.get("dilations", [1] * dims)):
        raise OnnxError("dilated pooling", "pool without dilations")
    padding, pads = _padding(node, a, x, kernel, strides, (1,) * dims)
    is_max, include = node.op_type == "MaxPool", bool(a.get("count_include_pad", 0))
    ceil = bool(a.get("ceil_mode", 0))
    sizes = x.logical[2:]
    onnx_out = [_pool_size(n, kk, s, pads[i], pads[i + dims], ceil) for i, (n, kk, s) in
                enumerate(zip(sizes, kernel, strides))]
    floor_out = [_pool_size(n, kk, s, pads[i], pads[i + dims], False) for i, (n, kk, s) in
                 enumerate(zip(sizes, kernel, strides))]
    same_out = [-(-n // s) for n, s in zip(sizes, strides)]
    same_begin = [max((o - 1) * s + kk - n, 0) // 2 for o, n, kk, s in zip(same_out, sizes, kernel, strides)]
    t = x.t
    if onnx_out != floor_out:  # ceil_mode adds a last, partial window: 'same' when its windows start alike
        if onnx_out != same_out or list(pads[:dims]) != same_begin or (not is_max and include):
            raise OnnxError(f"ceil_mode with pads {list(pads)} gives windows neither 'same' nor 'valid' pooling has",
                            "pool with ceil_mode=False, or with input sizes the stride divides")
        padding = "same"
    elif padding == "same" and (include and not is_max or onnx_out != same_out):
        padding = "explicit"
    if padding == "explicit":
        if is_max or not include:
            raise OnnxError(f"pads {list(pads)} differ from 'same' padding", "pool without padding, or with "
                            "padding that keeps the size (or count_include_pad=1 for AveragePool)")
        t, padding = zero_padding(k, t, dims, pads[:dims], pads[dims:]), "valid"
    kind = "Max" if is_max else "Average"
    layer = getattr(k, f"{kind}Pooling{dims}D")(kernel, strides, padding=padding)
    ctx.put(node, layer(t), x.perm)


def global_pool(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    dims = spatial_dims(x)
    kind = "Max" if node.op_type == "GlobalMaxPool" else "Average"
    ctx.put(node, getattr(ctx.keras.layers, f"Global{kind}Pooling{dims}D")(keepdims=True)(x.t), x.perm)


def reduce_mean(ctx: Context, node) -> None:
    """A mean over every spatial axis (x.mean((2, 3)) in PyTorch): global average pooling."""
    x = ctx.value(node.input[0])
    a = ctx.attrs(node)
    axes = a.get("axes") or (ctx.constants[node.input[1]].tolist() if len(node.input) > 1 and node.input[1] else None)
    rank = len(x.perm)
    if rank not in layout.CHANNELS_LAST or sorted(i % rank for i in axes or []) != list(range(2, rank)):
        raise OnnxError(f"a mean over axes {axes}", "the importer lowers a mean over every spatial axis (a global "
                        "average pooling)")
    dims = spatial_dims(x)
    keep = bool(a.get("keepdims", 1))
    t = getattr(ctx.keras.layers, f"GlobalAveragePooling{dims}D")(keepdims=keep)(x.t)
    ctx.put(node, t, x.perm if keep else layout.identity(2))
