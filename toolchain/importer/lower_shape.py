"""The ONNX ops that move or reshape data: layout bookkeeping, a RESHAPE, or a concatenation."""

import numpy as np

from toolchain.importer import layout
from toolchain.importer.errors import OnnxError
from toolchain.importer.lower_ops import Context


def transpose(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    if x.rows is not None:
        raise OnnxError("transposes a flattened channels-first tensor", "transpose before flattening")
    onnx_perm = tuple(ctx.attrs(node).get("perm", reversed(range(len(x.perm)))))
    ctx.put(node, x.t, layout.after_transpose(x.perm, onnx_perm))


def reshape(ctx: Context, node) -> None:
    """Flatten, Reshape, Squeeze, Unsqueeze: a RESHAPE on the device, or nothing where only the layout moves."""
    x = ctx.value(node.input[0])
    shape = _target(ctx, node, x.logical)
    if x.rows is not None:
        raise OnnxError("reshapes a flattened channels-first tensor again", "flatten once, before the Linear layer")
    perm = layout.reshaped_perm(x.logical, x.perm, shape)
    rows = None
    if perm is None:
        rows = layout.flat_rows(x.logical, x.perm)
        if len(shape) != 2:
            raise OnnxError(f"reshapes a channels-first tensor {x.logical} to {shape}",
                            "only a flatten to (batch, features) is lowered without a TRANSPOSE")
        perm = layout.identity(2)
    physical = tuple(shape[p] for p in perm)
    t = x.t if tuple(x.t.shape) == physical else ctx.keras.layers.Reshape(physical[1:])(x.t)
    ctx.put(node, t, perm, rows)


def _target(ctx: Context, node, logical: tuple[int, ...]) -> tuple[int, ...]:
    a = ctx.attrs(node)
    size = int(np.prod(logical))
    if node.op_type == "Flatten":
        axis = a.get("axis", 1) % len(logical)
        return (int(np.prod(logical[:axis])), int(np.prod(logical[axis:])))
    if node.op_type in ("Squeeze", "Unsqueeze"):
        axes = a.get("axes") or (ctx.constants[node.input[1]].tolist() if len(node.input) > 1 else None)
        if node.op_type == "Squeeze":
            axes = [i % len(logical) for i in axes] if axes else [i for i, s in enumerate(logical) if s == 1]
            return tuple(s for i, s in enumerate(logical) if i not in axes)
        out = list(logical)
        for ax in sorted(i % (len(logical) + len(axes)) for i in axes):
            out.insert(ax, 1)
        return tuple(out)
    target = [int(v) for v in ctx.constants[node.input[1]]]
    target = [logical[i] if v == 0 and not a.get("allowzero", 0) else v for i, v in enumerate(target)]
    if -1 in target:
        target[target.index(-1)] = size // -int(np.prod(target))
    return tuple(target)


def passthrough(ctx: Context, node) -> None:
    ctx.values[node.output[0]] = ctx.value(node.input[0])


def constant(ctx: Context, node) -> None:
    from onnx import numpy_helper

    ctx.constants[node.output[0]] = numpy_helper.to_array(ctx.attrs(node)["value"])


def concat(ctx: Context, node) -> None:
    xs = [ctx.value(i) for i in node.input]
    if any(x.perm != xs[0].perm or x.rows is not None for x in xs):
        raise OnnxError("concatenates tensors in different layouts", "give every input the same layout")
    axis = layout.physical_axis(xs[0].perm, ctx.attrs(node)["axis"])
    ctx.put(node, ctx.keras.layers.Concatenate(axis=axis)([x.t for x in xs]), xs[0].perm)
