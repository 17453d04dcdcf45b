"""A lowered layer: one C call with its constant parameters, and the helpers
every op lowering shares (types, padding)."""

from dataclasses import dataclass, field

import numpy as np

from toolchain.aot.errors import AotError
from toolchain.aot.graph import Graph, Op, Tensor


@dataclass
class Const:
    name: str
    ctype: str            # "int8_t", "int32_t", "float"
    values: np.ndarray    # flattened on emission
    guard: str = ""       # preprocessor condition the array is compiled under ("": always)


@dataclass
class Layer:
    index: int
    op: str                        # builtin op name
    func: str                      # C function called
    ptype: str | None = None       # C params struct type (None: no params)
    fields: dict = field(default_factory=dict)   # struct field -> C initializer text
    inputs: list[int] = field(default_factory=list)  # activation tensors, in call order
    output: int = -1
    extra_outputs: list[int] = field(default_factory=list)  # outputs after the first (SPLIT), same call
    consts: list[Const] = field(default_factory=list)
    call: str = "unary"            # unary | binary | concat | split | copy | alias
    lag: dict = field(default_factory=dict)      # input tensor -> in-place lag bytes
    lag_unit: int = 1              # in place, the output sits a multiple of this many bytes below the input
    scratch: int = 0               # scratch bytes (the "scratch" field points at them)
    macs: int = 0

    def set_inplace(self, tensor: int, inplace: tuple[int, int] | None) -> None:
        """The kernel's answer (kernel_sizes: (lag, unit), or None: never in place) for input `tensor`."""
        if inplace is None:
            self.lag.pop(tensor, None)
        else:
            self.lag[tensor], self.lag_unit = inplace


def describe(op: Op, graph: Graph) -> str:
    types = ", ".join(graph.tensors[t].dtype for t in op.inputs if t >= 0)
    return f"layer {op.index} ({op.name}, inputs {types})"


def fail(op: Op, graph: Graph, what: str, hint: str | None = None) -> AotError:
    return AotError(f"{describe(op, graph)}: {what}",
                    hint or f"use --runtime tflm, or change layer {op.index} of the model")


def require_copy(op: Op, graph: Graph, src: Tensor, outs: list[Tensor], what: str) -> None:
    """int8, and every output quantized as `src`: the op copies bytes (TFLM does too), so nothing requantizes.
    `what` names the tensors in the message, e.g. "input and output"."""
    require_int8(op, graph, [src] + outs)
    if any(t.zp != src.zp or t.sc != src.sc for t in outs):
        raise fail(op, graph, f"{what} must share one quantization (the op copies bytes)")


def require_int8(op: Op, graph: Graph, tensors: list[Tensor]) -> None:
    for t in tensors:
        if t.dtype != "int8":
            raise fail(op, graph, f"tensor '{t.name}' is {t.dtype}; the AOT kernels take int8 activations",
                       "quantize the model to int8 (full-integer PTQ or QAT), or use --runtime tflm")
        if t.scale is None or not np.all(np.isfinite(t.scale)) or np.any(t.scale <= 0):
            raise fail(op, graph, f"tensor '{t.name}' has no valid quantization scale")
        if not -128 <= t.zp <= 127:
            raise fail(op, graph, f"tensor '{t.name}' has zero point {t.zp} outside int8")


def nhwc(op: Op, graph: Graph, t: Tensor) -> tuple[int, int, int]:
    if len(t.shape) != 4 or t.shape[0] != 1:
        raise fail(op, graph, f"tensor '{t.name}' has shape {list(t.shape)}; expected [1, H, W, C]")
    return t.shape[1], t.shape[2], t.shape[3]


def same_or_valid(op: Op, graph: Graph, size: int, k: int, stride: int, dil: int, out: int) -> int:
    """Padding before the first row/column, checked against the output size."""
    if stride < 1 or dil < 1 or k < 1:
        raise fail(op, graph, f"stride {stride} / dilation {dil} / filter {k} must be >= 1")
    eff = (k - 1) * dil + 1
    if op.options.get("padding", 0) == 0:   # SAME
        expect = (size + stride - 1) // stride
        pad = max((expect - 1) * stride + eff - size, 0) // 2
    else:                                    # VALID
        expect = (size - eff + stride) // stride
        pad = 0
    if expect != out:
        raise fail(op, graph, f"output size {out} does not match the padding (expected {expect})")
    return pad


def c_array(values) -> str:
    return "{" + ", ".join(str(int(v)) for v in values) + "}"


def c_float(x: float) -> str:
    """A C float literal that reads back as exactly float32(x)."""
    return repr(float(np.float32(x))) + "f"


def conv_window(op: Op, graph: Graph, ih: int, iw: int, kh: int, kw: int, oh: int, ow: int) -> dict:
    """Stride, dilation and padding of a convolution window, named as the kernel params fields."""
    o = op.options
    sh, sw = o.get("stride_h", 1), o.get("stride_w", 1)
    dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
    return {"stride_h": sh, "stride_w": sw, "dil_h": dh, "dil_w": dw,
            "pad_top": same_or_valid(op, graph, ih, kh, sh, dh, oh),
            "pad_left": same_or_valid(op, graph, iw, kw, sw, dw, ow)}
