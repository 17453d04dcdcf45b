"""The activations MobileNetV3-style models use: HardSigmoid, HardSwish (an op from opset 14; before it, exporters
write x * HardSigmoid(x)) and PRelu, each as built-in Keras layers the TFLite converter turns into one op or a
fused pair (HARD_SWISH, CONV_2D with RELU6 then MUL, PRELU)."""

import numpy as np

from toolchain.importer import layout
from toolchain.importer.errors import OnnxError
from toolchain.importer.lower_ops import Context, binary

SIXTH = 1 / 6  # PyTorch's hardsigmoid and hardswish: relu6(x + 3) / 6


def _hard_sigmoid(k, t, alpha: float, beta: float):
    """clip(alpha * x + beta, 0, 1) as relu6(6 alpha x + 6 beta) / 6: the affine folds into a convolution before
    it, the ReLU6 fuses into it."""
    return k.Rescaling(SIXTH)(k.ReLU(max_value=6.0)(k.Rescaling(6 * alpha, 6 * beta)(t)))


def hard_swish_tensor(k, t):
    """x * (relu6(x + 3) / 6), in the order the TFLite converter matches as one HARD_SWISH."""
    return k.Multiply()([t, k.Rescaling(SIXTH)(k.ReLU(max_value=6.0)(k.Rescaling(1.0, 3.0)(t)))])


def hard_sigmoid(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    a = ctx.attrs(node)
    ctx.put(node, _hard_sigmoid(ctx.keras.layers, x.t, a.get("alpha", 0.2), a.get("beta", 0.5)), x.perm, x.rows)


def hard_swish(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    ctx.put(node, hard_swish_tensor(ctx.keras.layers, x.t), x.perm, x.rows)


def mul(ctx: Context, node) -> None:
    """Mul: x * HardSigmoid(x) with PyTorch's constants is one hard swish; any other, an elementwise product."""
    x_name = is_hard_swish(ctx, node)
    if x_name is None:
        binary(ctx, node)
        return
    x = ctx.value(x_name)
    ctx.put(node, hard_swish_tensor(ctx.keras.layers, x.t), x.perm, x.rows)


def is_hard_swish(ctx: Context, node) -> str | None:
    """For Mul(x, HardSigmoid(x)) with PyTorch's constants (how hardswish exports below opset 14): x's name."""
    for mine, other in ((node.input[0], node.input[1]), (node.input[1], node.input[0])):
        src = ctx.made_by.get(mine)
        if src is not None and src.op_type == "HardSigmoid" and src.input[0] == other:
            a = ctx.attrs(src)
            if np.isclose(a.get("alpha", 0.2), SIXTH) and np.isclose(a.get("beta", 0.5), 0.5):
                return other
    return None


def prelu(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    if node.input[1] not in ctx.constants:
        raise OnnxError("takes its slope from the model's input", "export PRelu with a constant slope")
    slope = np.asarray(ctx.constants[node.input[1]], np.float32)
    rank = len(x.perm)
    padded = (1,) * (rank - slope.ndim) + slope.shape  # ONNX broadcasts the slope from the last axis
    if slope.size > 1 and (x.rows is not None or rank < 2 or padded[1] != slope.size or x.logical[1] != slope.size):
        raise OnnxError(f"slope of shape {slope.shape} is not one value or one per channel (axis 1)",
                        "the importer lowers PRelu with a shared or per-channel slope")
    physical = tuple(x.t.shape[1:])
    if slope.size == 1:
        shared, weights = list(range(1, rank)), np.full((1,) * (rank - 1), slope.reshape(-1)[0])
    else:
        channel_axis = layout.physical_axis(x.perm, 1)
        shared = [a for a in range(1, rank) if a != channel_axis]
        weights = slope.reshape([physical[a - 1] if a == channel_axis else 1 for a in range(1, rank)])
    layer = ctx.keras.layers.PReLU(shared_axes=shared or None)
    ctx.layer(node, layer, x, [np.asarray(weights, np.float32)])
    ctx.producer.pop(node.output[0])
