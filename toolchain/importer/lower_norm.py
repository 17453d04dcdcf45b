"""LayerNorm as exporters that predate ONNX's LayerNormalization op write it (PyTorch at opset < 17): nine
nodes over the last axis, found before lowering and lowered as one Keras LayerNormalization.

    m = ReduceMean(x); d = x - m; v = ReduceMean(d ^ 2); y = d / Sqrt(v + eps); out = y * gamma + beta
"""

from dataclasses import dataclass

import numpy as np

from toolchain.importer.errors import OnnxError
from toolchain.importer.lower_ops import Context, Value


@dataclass
class LayerNorm:
    x: str  # the input tensor
    out: str  # the output tensor (of the final Add)
    epsilon: float
    gamma: np.ndarray
    beta: np.ndarray
    nodes: list  # every node of the pattern, the first ReduceMean first


def _constants(proto) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    found = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    for n in proto.graph.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            found[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return found


def _last_axis_mean(node) -> bool:
    from onnx import helper

    axes = [helper.get_attribute_value(a) for a in node.attribute if a.name == "axes"]
    keep = [helper.get_attribute_value(a) for a in node.attribute if a.name == "keepdims"]
    return node.op_type == "ReduceMean" and axes == [[-1]] and keep in ([], [1]) and len(node.input) == 1


def find(proto) -> list[LayerNorm]:
    """Every LayerNorm written out node by node, with its constants; nodes shared outside a pattern break it."""
    consts = _constants(proto)
    users: dict[str, list] = {}
    for n in proto.graph.node:
        for i in n.input:
            users.setdefault(i, []).append(n)

    def only(name: str, op: str):
        u = users.get(name, [])
        return u[0] if len(u) == 1 and u[0].op_type == op else None

    def const_other(node, known: str) -> np.ndarray | None:
        other = [i for i in node.input if i != known]
        return consts.get(other[0]) if len(other) == 1 else None

    found = []
    for mean in proto.graph.node:
        if not _last_axis_mean(mean):
            continue
        x = mean.input[0]
        sub = only(mean.output[0], "Sub")
        if sub is None or list(sub.input) != [x, mean.output[0]]:
            continue
        d_users = users.get(sub.output[0], [])
        pows = [n for n in d_users if n.op_type == "Pow"]
        divs = [n for n in d_users if n.op_type == "Div" and n.input[0] == sub.output[0]]
        if len(d_users) != 2 or len(pows) != 1 or len(divs) != 1:
            continue
        exponent = const_other(pows[0], sub.output[0])
        var = only(pows[0].output[0], "ReduceMean")
        add_eps = var and only(var.output[0], "Add")
        eps = add_eps and const_other(add_eps, var.output[0])
        sqrt = add_eps and only(add_eps.output[0], "Sqrt")
        if exponent is None or exponent.size != 1 or float(exponent) != 2.0 or not var or not _last_axis_mean(var) \
                or eps is None or eps.size != 1 or sqrt is None or list(divs[0].input) != [sub.output[0], sqrt.output[0]]:
            continue
        mul = only(divs[0].output[0], "Mul")
        gamma = mul and const_other(mul, divs[0].output[0])
        add = mul and only(mul.output[0], "Add")
        beta = add and const_other(add, mul.output[0])
        if gamma is None or beta is None or gamma.ndim != 1 or beta.shape != gamma.shape:
            continue
        constants = [n for n in proto.graph.node if n.op_type == "Constant" and n.output[0] in
                     (pows[0].input[1], add_eps.input[1]) and len(users.get(n.output[0], [])) == 1]
        found.append(LayerNorm(x, add.output[0], float(eps), gamma.astype(np.float32), beta.astype(np.float32),
                               [mean, sub, pows[0], var, add_eps, sqrt, divs[0], mul, add, *constants]))
    return found


def lower(ctx: Context, norm: LayerNorm) -> None:
    x: Value = ctx.value(norm.x)
    if x.rows is not None or x.perm[-1] != len(x.perm) - 1:
        raise OnnxError("normalizes over an axis the device does not hold last",
                        "normalize over the channels of a channels-last tensor, or the features of a flat one")
    if x.logical[-1] != norm.gamma.size:
        raise OnnxError(f"LayerNorm weights of {norm.gamma.size} values for {x.logical[-1]} features",
                        "export the model again")
    layer = ctx.keras.layers.LayerNormalization(axis=-1, epsilon=norm.epsilon)
    ctx.values[norm.out] = Value(layer(x.t), x.perm)
    ctx.weights[layer] = [norm.gamma, norm.beta]
