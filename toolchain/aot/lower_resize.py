"""Lowering of RESIZE_NEAREST_NEIGHBOR: which input row and column each output pixel copies is decided
here, with TFLM's float32 arithmetic (align_corners, half_pixel_centers), so the kernel only copies. TFLM
copies the bytes, so input and output must share one quantization."""

import math

import numpy as np

from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, fail, require_copy


def nearest_map(in_size: int, out_size: int, align_corners: bool, half_pixel: bool) -> list[int]:
    """Per output index, the input index TFLM's reference resize picks (float32 scale and product)."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5) if half_pixel else f32(0.0)
    picks = []
    for i in range(out_size):
        v = float(f32(f32(i) + offset) * scale)
        j = int(math.floor(abs(v) + 0.5) * (1 if v >= 0 else -1)) if align_corners else math.floor(v)
        j = min(j, in_size - 1)
        picks.append(max(j, 0) if half_pixel else j)
    return picks


def lower_resize_nearest(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        raise fail(op, graph, "expected the input, a constant size and one output")
    inp, size, out = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    require_copy(op, graph, inp, [out], "input and output")
    if len(inp.shape) != 4 or len(out.shape) != 4 or inp.shape[0] != out.shape[0] or inp.shape[3] != out.shape[3]:
        raise fail(op, graph, f"input {list(inp.shape)} and output {list(out.shape)} must be NHWC with one batch "
                   "and channel count")
    n, (ih, iw, c), (oh, ow) = inp.shape[0], inp.shape[1:], out.shape[1:3]
    if size.data is None or size.data.reshape(-1).tolist() != [oh, ow]:
        raise fail(op, graph, f"the size must be a constant equal to the output's [{oh}, {ow}]")
    align, half = bool(op.options.get("align_corners", 0)), bool(op.options.get("half_pixel_centers", 0))
    layer = Layer(op.index, op.name, "tm_resize_nearest_eval", "tm_resize_nearest_params_t", inputs=[inp.index],
                  output=out.index)
    layer.consts += [Const(f"l{op.index}_rows", "int32_t", np.array(nearest_map(ih, oh, align, half))),
                     Const(f"l{op.index}_cols", "int32_t", np.array(nearest_map(iw, ow, align, half)))]
    layer.fields.update(batches=n, in_h=ih, in_w=iw, channels=c, out_h=oh, out_w=ow, rows=f"l{op.index}_rows",
                        cols=f"l{op.index}_cols")
    return layer
