"""Nodes computed from constants alone (the Shape -> Gather -> Unsqueeze -> Concat chain TorchScript writes for
x.view(x.size(0), -1), Cast, arithmetic on shapes): evaluated once by ONNX's reference evaluator, never on the
device. Shape reads the static shape of any tensor."""

import numpy as np

from toolchain.importer.errors import OnnxError
from toolchain.importer.lower_ops import Context


def shape(ctx: Context, node) -> None:
    a = ctx.attrs(node)
    dims = np.array(ctx.value(node.input[0]).logical, np.int64)
    ctx.constants[node.output[0]] = dims[a.get("start", 0):a.get("end", len(dims))]


def is_constant(ctx: Context, node) -> bool:
    return node.op_type != "Constant" and all(not i or i in ctx.constants for i in node.input)


def evaluate(ctx: Context, node, opset: int) -> None:
    """Every output of `node`, all of whose inputs are constants."""
    from onnx import helper
    from onnx.reference import ReferenceEvaluator

    inputs = [i for i in node.input if i]
    graph = helper.make_graph(
        [node], "const", [helper.make_tensor_value_info(i, helper.np_dtype_to_tensor_dtype(ctx.constants[i].dtype),
                                                        ctx.constants[i].shape) for i in inputs],
        [helper.make_tensor_value_info(o, 0, None) for o in node.output if o])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    try:
        values = ReferenceEvaluator(model).run(None, {i: ctx.constants[i] for i in inputs})
    except Exception as e:  # noqa: BLE001 - the evaluator raises what the op's implementation raises
        raise OnnxError(f"cannot be computed from its constant inputs ({type(e).__name__}: {str(e)[:120]})",
                        "constant-fold the model first (onnxsim or onnxruntime's offline optimisation)") from None
    for name, v in zip([o for o in node.output if o], values):
        ctx.constants[name] = np.asarray(v)
