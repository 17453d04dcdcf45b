"""Lowering of TRANSPOSE (what converters other than the project's importer leave around convolutions):
the permuted input strides are computed here, the kernel only walks them."""

import numpy as np

from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, c_array, fail, require_int8


def lower_transpose(op: Op, graph: Graph) -> Layer:
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_int8(op, graph, [inp, out])
    perm_t = graph.tensors[op.inputs[1]] if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
    rank = len(inp.shape)
    if perm_t is None or perm_t.data is None or rank > 4 or sorted(perm_t.data.reshape(-1).tolist()) != list(range(rank)):
        raise fail(op, graph, "the permutation must be a constant over a tensor of rank <= 4")
    if inp.zp != out.zp or inp.sc != out.sc:
        raise fail(op, graph, "input and output must share one quantization")
    perm = [int(v) for v in perm_t.data.reshape(-1)]
    strides = [int(np.prod(inp.shape[k + 1:])) for k in range(rank)]
    lead = 4 - rank
    layer = Layer(op.index, op.name, "tm_transpose_eval", "tm_transpose_params_t", inputs=[inp.index],
                  output=out.index)
    layer.fields.update(out_dims=c_array([1] * lead + [inp.shape[p] for p in perm]),
                        in_strides=c_array([0] * lead + [strides[p] for p in perm]))
    return layer
