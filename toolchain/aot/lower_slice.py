"""Lowering of SPLIT, SPLIT_V and STRIDED_SLICE: pieces of one tensor, copied without arithmetic (TFLM
copies the bytes too, so input and outputs must share one quantization). The shapes, offsets and steps are
resolved here; the kernels only copy."""

import numpy as np

from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, c_array, fail, require_copy


def _const(op: Op, graph: Graph, pos: int, what: str) -> np.ndarray:
    t = graph.tensors[op.inputs[pos]] if len(op.inputs) > pos and op.inputs[pos] >= 0 else None
    if t is None or t.data is None:
        raise fail(op, graph, f"the {what} must be a constant tensor")
    return t.data.reshape(-1).astype(np.int64)


def lower_split(op: Op, graph: Graph) -> Layer:
    """SPLIT (inputs: axis, tensor) and SPLIT_V (inputs: tensor, sizes, axis)."""
    data_pos, axis_pos = (0, 2) if op.name == "SPLIT_V" else (1, 0)
    if len(op.inputs) <= max(data_pos, axis_pos) or op.inputs[data_pos] < 0:
        raise fail(op, graph, "expected the input tensor and a constant axis")
    inp = graph.tensors[op.inputs[data_pos]]
    outs = [graph.tensors[t] for t in op.outputs]
    require_copy(op, graph, inp, outs, "input and outputs")
    axis_v = _const(op, graph, axis_pos, "axis")
    rank = len(inp.shape)
    axis = int(axis_v[0]) + (rank if axis_v[0] < 0 else 0) if len(axis_v) == 1 else -1
    if not 0 <= axis < rank:
        raise fail(op, graph, f"axis {axis_v.tolist()} is out of range for rank {rank}")
    rest = inp.shape[:axis] + inp.shape[axis + 1:]
    if (any(len(t.shape) != rank or t.shape[:axis] + t.shape[axis + 1:] != rest for t in outs)
            or sum(t.shape[axis] for t in outs) != inp.shape[axis]):
        raise fail(op, graph, f"output shapes {[list(t.shape) for t in outs]} do not split {list(inp.shape)} "
                   f"along axis {axis}")
    outer = int(np.prod(inp.shape[:axis], dtype=np.int64))
    chunks = [t.size // max(outer, 1) for t in outs]
    layer = Layer(op.index, op.name, "tm_split_eval", "tm_split_params_t", inputs=[inp.index],
                  output=outs[0].index, extra_outputs=[t.index for t in outs[1:]], call="split")
    layer.consts.append(Const(f"l{op.index}_chunks", "int32_t", np.array(chunks)))
    layer.fields.update(outer=outer, count=len(outs), chunk_bytes=f"l{op.index}_chunks")
    return layer


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, v))


def _axis_range(begin: int, end: int, step: int, size: int, begin_masked: bool, end_masked: bool,
                shrink: bool) -> tuple[int, int]:
    """(first index, element count) along one axis, resolved as TFLM's strided-slice index logic does:
    negative indices count from the end, then clamp to the step's direction, then the masks."""
    start = begin + size if begin < 0 else begin
    start = _clamp(start, 0, size) if step > 0 else _clamp(start, -1, size - 1)
    if begin_masked:
        start = 0 if step > 0 else size - 1
    if shrink:
        return start, 1
    stop = end + size if end < 0 else end
    stop = _clamp(stop, 0, size) if step > 0 else _clamp(stop, -1, size - 1)
    if end_masked:
        stop = size if step > 0 else -1
    return start, max(0, -(-(stop - start) // step))


def lower_strided_slice(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) != 4 or len(op.outputs) != 1 or op.inputs[0] < 0:
        raise fail(op, graph, "expected the input, constant begin, end and strides, and one output")
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_copy(op, graph, inp, [out], "input and outputs")
    o = op.options
    rank = len(inp.shape)
    if rank > 4:
        raise fail(op, graph, f"rank {rank} is above 4")
    if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0) or o.get("offset", 0):
        raise fail(op, graph, "ellipsis_mask, new_axis_mask and offset are not lowered (TFLM ignores them too)")
    begin, end, steps = (_const(op, graph, k, w) for k, w in ((1, "begin"), (2, "end"), (3, "strides")))
    if not len(begin) == len(end) == len(steps) == rank or np.any(steps == 0):
        raise fail(op, graph, f"begin, end and strides must have {rank} entries and no zero stride")
    shape = list(inp.shape)
    in_strides = [int(np.prod(shape[k + 1:], dtype=np.int64)) for k in range(rank)]
    dims, strides, kept, offset = [], [], [], 0
    for k in range(rank):
        shrink = bool(o.get("shrink_axis_mask", 0) >> k & 1)
        start, n = _axis_range(int(begin[k]), int(end[k]), int(steps[k]), shape[k],
                               bool(o.get("begin_mask", 0) >> k & 1), bool(o.get("end_mask", 0) >> k & 1), shrink)
        if n and not 0 <= start < shape[k]:
            raise fail(op, graph, f"the slice starts at {start}, outside axis {k} of size {shape[k]}")
        dims.append(n)
        strides.append(int(steps[k]) * in_strides[k])
        offset += (start if n else 0) * in_strides[k]
        if not shrink:
            kept.append(n)
    if kept != list(out.shape):
        raise fail(op, graph, f"output shape {list(out.shape)} does not match the slice ({kept})")
    lead = 4 - rank
    layer = Layer(op.index, op.name, "tm_strided_slice_eval", "tm_strided_slice_params_t", inputs=[inp.index],
                  output=out.index)
    layer.fields.update(out_dims=c_array([1] * lead + dims), in_strides=c_array([0] * lead + strides),
                        in_offset=offset)
    return layer
