"""ONNX graph -> float Keras model, channels last, every weight in Keras's order.

Each ONNX node becomes at most one built-in Keras layer (so float.keras saves and loads like a
trained model, and the project's quantizer takes it as it is). Tensors carry their layout
(layout.py); BatchNormalization and a Mul/Add by a per-channel constant fold into the convolution
or dense layer before them. The ops each lowering handles are in OPS."""

from dataclasses import dataclass, field

import numpy as np

from toolchain.importer import layout, lower_norm
from toolchain.importer.errors import OnnxError
from toolchain.importer.graph import OnnxModel
from toolchain.importer.lower_activation import hard_sigmoid, hard_swish, mul, prelu
from toolchain.importer.lower_const import evaluate, is_constant, shape
from toolchain.importer.lower_ops import (Context, Value, activation, batchnorm, binary, conv, gemm, global_pool,
                                          matmul, pool, reduce_mean, softmax)
from toolchain.importer.lower_resample import conv_transpose, pad, resize, slice_spatial
from toolchain.importer.lower_shape import concat, constant, passthrough, reshape, transpose

OPS = {
    "Conv": conv, "Gemm": gemm, "MatMul": matmul, "BatchNormalization": batchnorm,
    "Add": binary, "Sub": binary, "Mul": mul,
    "Relu": activation, "Clip": activation, "LeakyRelu": activation, "Sigmoid": activation, "Tanh": activation,
    "Softmax": softmax, "MaxPool": pool, "AveragePool": pool, "GlobalAveragePool": global_pool,
    "GlobalMaxPool": global_pool, "Transpose": transpose, "Flatten": reshape, "Reshape": reshape,
    "Squeeze": reshape, "Unsqueeze": reshape, "Identity": passthrough, "Dropout": passthrough,
    "Constant": constant, "Concat": concat, "Div": binary, "HardSigmoid": hard_sigmoid, "HardSwish": hard_swish,
    "PRelu": prelu, "ReduceMean": reduce_mean, "Pad": pad, "Resize": resize, "ConvTranspose": conv_transpose,
    "Shape": shape, "Slice": slice_spatial,
}


def _constants(proto) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    return {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}


def unsupported(model: OnnxModel) -> list[str]:
    """'name (OpType)' of every node the importer cannot lower: not in OPS, not computed from constants alone
    (those are evaluated on the host, whatever their op), and not inside a LayerNorm pattern (lowered with it)."""
    known = {i.name for i in model.proto.graph.initializer}
    fused = {n.output[0] for norm in lower_norm.find(model.proto) for n in norm.nodes}
    missing = []
    for n in model.proto.graph.node:
        if n.op_type in ("Constant", "Shape") or (n.op_type not in OPS and all(not i or i in known for i in n.input)):
            known.update(n.output)
        elif n.op_type not in OPS and n.output[0] not in fused:
            missing.append(f"'{n.name or n.output[0]}' ({n.op_type})")
    return missing


@dataclass
class Converted:
    keras_model: object
    input_perm: tuple[int, ...]  # device input = np.transpose(user input, input_perm)
    device_input_shape: tuple[int, ...]
    folded: list[str] = field(default_factory=list)  # ONNX nodes folded into the layer before them


def _first_use(proto, name: str) -> tuple[str | None, tuple[int, ...] | None]:
    """The op type of the input's only consumer, and its perm when it is a Transpose."""
    users = [n for n in proto.graph.node if name in n.input]
    if len(users) != 1:
        return None, None
    perm = [tuple(a.ints) for a in users[0].attribute if a.name == "perm"]
    return users[0].op_type, perm[0] if users[0].op_type == "Transpose" and perm else None


def device_perm(model: OnnxModel) -> tuple[int, ...]:
    """How the device holds the input: np.transpose(user input, device_perm(model))."""
    return layout.input_perm(len(model.input_shape), *_first_use(model.proto, model.input_name))


def to_keras(model: OnnxModel) -> Converted:
    """The float Keras model of `model`, in the device's layout."""
    from toolchain.train.tf import keras

    if model.quantized:
        raise OnnxError(f"'{model.path}' is already quantized (QDQ): it is imported with its own scales, not "
                        "lowered to float and quantized again", "pass it without a recipe: `toolchain optimize "
                        f"--model {model.path} --calibration inputs.npy`, or name the float model in the recipe")
    missing = unsupported(model)
    if missing:
        raise OnnxError(f"'{model.path}': no lowering for {len(missing)} node(s): {', '.join(missing[:6])}",
                        f"supported ONNX ops: {', '.join(sorted(OPS))}")
    proto = model.proto
    perm = device_perm(model)
    physical = tuple(model.input_shape[p] for p in perm)
    inp = keras.Input(physical[1:], batch_size=1, name="input")
    uses: dict[str, int] = {}
    for n in proto.graph.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    ctx = Context(keras, _constants(proto), {model.input_name: Value(inp, perm)}, uses, opset=model.opset)
    norms = lower_norm.find(proto)
    first = {norm.nodes[0].output[0]: norm for norm in norms}  # nodes by their (unique) first output
    inside = {n.output[0] for norm in norms for n in norm.nodes[1:]}
    for node in proto.graph.node:
        ctx.made_by.update((o, node) for o in node.output)
        if node.output[0] in inside:
            continue
        try:
            if node.output[0] in first:
                lower_norm.lower(ctx, first[node.output[0]])
            elif is_constant(ctx, node):
                evaluate(ctx, node, model.opset)
            else:
                OPS[node.op_type](ctx, node)
        except OnnxError as e:
            raise OnnxError(f"'{model.path}', node '{node.name or node.output[0]}' ({node.op_type}): {e.message}",
                            e.hint) from None
    out = ctx.values.get(model.output_name)
    if out is None:
        raise OnnxError(f"'{model.path}': output '{model.output_name}' is a constant", "export a model whose output "
                        "depends on its input")
    if out.rows is not None or out.perm != layout.identity(len(out.perm)):
        raise OnnxError(f"'{model.path}': the output stays channels-first ({tuple(out.t.shape)} on the device)",
                        "end the model with a Flatten, a pooling to 1x1 or a Linear layer")
    k = keras.Model(inp, out.t)
    for layer, weights in ctx.weights.items():
        layer.set_weights(weights)
    return Converted(k, perm, physical, ctx.folded)
