"""Lowering of STRIDED_SLICE (int8, constant begin, end and strides, rank 4 or less): TFLM's start and stop per
axis (masks, negative indices, clamping) resolved here into a start and a step per axis, so the device only
copies. Ellipsis, new axes and offset are left to TFLM."""

import numpy as np

from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, c_array, fail, require_int8

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1


def axis_range(size: int, begin: int, end: int, stride: int, axis: int, options: dict) -> range:
    """TFLM's StartForAxis and StopForAxis, as a range of input indices."""
    if size == 0:
        return range(0)
    start = begin
    if options.get("begin_mask", 0) >> axis & 1:
        start = INT_MIN if stride > 0 else INT_MAX
    if start < 0:
        start += size
    start = min(max(start, 0), size) if stride > 0 else min(max(start, -1), size - 1)
    if options.get("shrink_axis_mask", 0) >> axis & 1:
        return range(start, start + 1, stride)
    stop = end
    if options.get("end_mask", 0) >> axis & 1:
        stop = INT_MAX if stride > 0 else INT_MIN
    if stop < 0:
        stop += size
    stop = min(max(stop, 0), size) if stride > 0 else min(max(stop, -1), size - 1)
    return range(start, stop, stride)


def lower_strided_slice(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) < 4 or min(op.inputs[:4]) < 0 or len(op.outputs) != 1:
        raise fail(op, graph, "expected input, begin, end and strides")
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    begin, end, strides = (graph.tensors[t].data for t in op.inputs[1:4])
    require_int8(op, graph, [inp, out])
    o = op.options
    if begin is None or end is None or strides is None:
        raise fail(op, graph, "begin, end or strides are computed, not constants")
    if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0) or o.get("offset", False) or len(inp.shape) > 4:
        raise fail(op, graph, "ellipsis, new axes, offset or a rank above 4")
    strides = [int(s) for s in strides.reshape(-1)]
    if 0 in strides:
        raise fail(op, graph, "a zero stride")
    ranges = [axis_range(int(n), int(b), int(e), s, axis, o)
              for axis, (n, b, e, s) in enumerate(zip(inp.shape, begin.reshape(-1), end.reshape(-1), strides))]
    counts = [len(r) for r in ranges]
    if int(np.prod(counts)) != out.size or out.size == 0:
        raise fail(op, graph, f"the slice takes {counts} elements per axis, the output has shape {list(out.shape)}")
    sizes = [int(n) for n in inp.shape]
    element = [int(np.prod(sizes[a + 1:], dtype=np.int64)) for a in range(len(sizes))]
    start = sum(r.start * e for r, e in zip(ranges, element))
    pad = 4 - len(sizes)
    layer = Layer(op.index, op.name, "tm_strided_slice_eval", "tm_strided_slice_params_t", inputs=[inp.index],
                  output=out.index)
    layer.fields.update(count=c_array([1] * pad + counts), step=c_array([0] * pad + [r.step * e for r, e in
                                                                                       zip(ranges, element)]),
                        start=start)
    return layer
