"""Lowering of RESIZE_NEAREST_NEIGHBOR: the source row and column of every output pixel, chosen here the way TFLM
chooses them at run time (float32 scale, floor, or round with align_corners; half-pixel centres), so the device
only copies."""

import numpy as np

from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, fail, nhwc, require_int8
from toolchain.aot.lower_misc import _io


def source_indices(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """TFLM's GetNearestNeighbor for each output index, in its float32 arithmetic."""
    f32 = np.float32
    scale = f32(in_size - 1) / f32(out_size - 1) if align_corners and out_size > 1 else f32(in_size) / f32(out_size)
    offset = f32(0.5) if half_pixel_centers else f32(0.0)
    out = []
    for i in range(out_size):
        v = (f32(i) + offset) * scale
        j = int(np.floor(np.abs(v) + f32(0.5)) * np.sign(v)) if align_corners else int(np.floor(v))
        j = min(j, in_size - 1)
        out.append(max(j, 0) if half_pixel_centers else j)
    return np.array(out, np.int64)


def lower_resize_nearest(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph)
    require_int8(op, graph, [inp, out])
    (ih, iw, c), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    if oc != c:
        raise fail(op, graph, "resizing changes the channel count")
    align, half = bool(op.options.get("align_corners", False)), bool(op.options.get("half_pixel_centers", False))
    rows, cols = source_indices(ih, oh, align, half), source_indices(iw, ow, align, half)
    if rows.min() < 0 or cols.min() < 0:
        raise fail(op, graph, "a source index falls before the input")
    layer = Layer(op.index, op.name, "tm_resize_nearest_eval", "tm_resize_nearest_params_t", inputs=[inp.index],
                  output=out.index, consts=[Const(f"l{op.index}_rows", "int32_t", rows),
                                            Const(f"l{op.index}_cols", "int32_t", cols)])
    layer.fields.update(in_h=ih, in_w=iw, out_h=oh, out_w=ow, depth=c, rows=f"l{op.index}_rows",
                        cols=f"l{op.index}_cols")
    return layer
