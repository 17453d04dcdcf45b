"""Lowering of BATCH_MATMUL on int8 (what converters emit for a product of two computed tensors, such as
attention scores): batch broadcasting and the adj_x / adj_y transpositions become strides, the multiplier
follows TFLM's prepare (the float32 product of the two input scales, then double division)."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, c_array, fail, require_int8


def lower_batch_matmul(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        raise fail(op, graph, "expected two inputs and one output")
    lhs, rhs, out = (graph.tensors[t] for t in (*op.inputs, op.outputs[0]))
    require_int8(op, graph, [lhs, rhs, out])
    if any(t.scale is not None and len(t.scale) > 1 for t in (lhs, rhs)):
        raise fail(op, graph, "an input is quantized per channel; BATCH_MATMUL takes one scale per tensor")
    if not 2 <= len(lhs.shape) <= 5 or not 2 <= len(rhs.shape) <= 5:
        raise fail(op, graph, f"input ranks {len(lhs.shape)} and {len(rhs.shape)} must be 2 to 5")
    adj_x, adj_y = bool(op.options.get("adj_x", 0)), bool(op.options.get("adj_y", 0))
    lb, rb = [1] * (5 - len(lhs.shape)) + list(lhs.shape), [1] * (5 - len(rhs.shape)) + list(rhs.shape)
    rows, depth = (lb[4], lb[3]) if adj_x else (lb[3], lb[4])
    r_depth, cols = (rb[4], rb[3]) if adj_y else (rb[3], rb[4])
    if depth != r_depth or any(a != b and 1 not in (a, b) for a, b in zip(lb[:3], rb[:3])):
        raise fail(op, graph, f"shapes {list(lhs.shape)} and {list(rhs.shape)} (adj_x {adj_x}, adj_y {adj_y}) "
                   "do not multiply")
    batch = [max(a, b) for a, b in zip(lb[:3], rb[:3])]
    if int(np.prod(batch)) * rows * cols != out.size or list(out.shape[-2:]) != [rows, cols]:
        raise fail(op, graph, f"output shape {list(out.shape)} is not the product's {batch + [rows, cols]}")

    def batch_strides(shape):
        s, acc = [0] * 3, shape[3] * shape[4]
        for d in range(2, -1, -1):
            s[d] = acc if shape[d] > 1 else 0
            acc *= shape[d]
        return s

    scale = np.float64(np.float32(lhs.sc) * np.float32(rhs.sc)) / np.float64(out.sc)
    mult, shift = quant.quantize_multiplier(float(scale))
    layer = Layer(op.index, op.name, "tm_batch_matmul_eval", "tm_batch_matmul_params_t",
                  inputs=[lhs.index, rhs.index], output=out.index, call="binary",
                  macs=int(np.prod(batch)) * rows * cols * depth)
    layer.fields.update(batch_dims=c_array(batch), lhs_batch_strides=c_array(batch_strides(lb)),
                        rhs_batch_strides=c_array(batch_strides(rb)), rows=rows, cols=cols, depth=depth,
                        lhs_row_stride=1 if adj_x else depth, lhs_depth_stride=rows if adj_x else 1,
                        rhs_depth_stride=1 if adj_y else cols, rhs_col_stride=depth if adj_y else 1,
                        lhs_zp=lhs.zp, rhs_zp=rhs.zp, out_zp=out.zp, mult=mult, shift=shift)
    return layer
