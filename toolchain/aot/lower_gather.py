"""Lowering of GATHER (embedding lookups, index_select): int8 rows copied by int32 indices, the table or
the indices constant or computed. TFLM copies the bytes, so table and output must share one quantization."""

import numpy as np

from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, fail, require_copy


def lower_gather(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        raise fail(op, graph, "expected a table, indices and one output")
    table, idx, out = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    require_copy(op, graph, table, [out], "table and output")
    if idx.dtype != "int32":
        raise fail(op, graph, f"indices are {idx.dtype}; GATHER takes int32 indices (as TFLM does)")
    rank = len(table.shape)
    axis = op.options.get("axis", 0)
    axis += rank if axis < 0 else 0
    batch_dims = op.options.get("batch_dims", 0)
    batch_dims += len(idx.shape) if batch_dims < 0 else 0
    if not 0 <= batch_dims <= axis < rank or batch_dims > len(idx.shape) \
            or table.shape[:batch_dims] != idx.shape[:batch_dims]:
        raise fail(op, graph, f"axis {axis} / batch_dims {batch_dims} do not fit table {list(table.shape)} "
                   f"and indices {list(idx.shape)}")
    expect = list(table.shape[:axis]) + list(idx.shape[batch_dims:]) + list(table.shape[axis + 1:])
    if list(out.shape) != expect:
        raise fail(op, graph, f"output shape {list(out.shape)} is not the gathered shape {expect}")
    if idx.data is not None and (np.any(idx.data < 0) or np.any(idx.data >= table.shape[axis])):
        raise fail(op, graph, f"a constant index lies outside [0, {table.shape[axis]})")

    def prod(dims):
        return int(np.prod(dims, dtype=np.int64))

    layer = Layer(op.index, op.name, "tm_gather_eval", "tm_gather_params_t", inputs=[table.index, idx.index],
                  output=out.index, call="binary")
    layer.fields.update(batches=prod(table.shape[:batch_dims]), outer=prod(table.shape[batch_dims:axis]),
                        coords=prod(idx.shape[batch_dims:]), axis_size=table.shape[axis],
                        inner=prod(table.shape[axis + 1:]), checked=int(idx.data is not None))
    return layer
