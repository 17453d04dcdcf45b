"""Lowering of PRELU: alpha (a constant or computed int8 tensor, usually one slope per channel) broadcast
over the input by strides; the two multipliers follow TFLM's prepare (double products of the float32
scales)."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, c_array, fail, require_int8


def lower_prelu(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        raise fail(op, graph, "expected the input, alpha and one output")
    inp, alpha, out = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]], graph.tensors[op.outputs[0]]
    require_int8(op, graph, [inp, alpha, out])
    if alpha.scale is not None and len(alpha.scale) > 1:
        raise fail(op, graph, "alpha is quantized per channel; TFLM's PRELU takes one alpha scale")
    if list(inp.shape) != list(out.shape) or len(inp.shape) > 4 or len(alpha.shape) > len(inp.shape):
        raise fail(op, graph, f"input {list(inp.shape)}, alpha {list(alpha.shape)} and output {list(out.shape)}: "
                   "the input must have the output's shape (rank <= 4) and alpha broadcast over it")
    dims = [1] * (4 - len(inp.shape)) + list(inp.shape)
    a_shape = [1] * (4 - len(alpha.shape)) + list(alpha.shape)
    strides, acc = [0] * 4, 1
    for d in range(3, -1, -1):
        if a_shape[d] not in (1, dims[d]):
            raise fail(op, graph, f"alpha {list(alpha.shape)} does not broadcast over {list(inp.shape)}")
        strides[d] = acc if a_shape[d] == dims[d] and dims[d] != 1 else 0
        acc *= a_shape[d]
    in_sc, a_sc, out_sc = np.float64(inp.sc), np.float64(alpha.sc), np.float64(out.sc)
    pos = quant.quantize_multiplier(float(in_sc / out_sc))
    neg = quant.quantize_multiplier(float(in_sc * a_sc / out_sc))
    layer = Layer(op.index, op.name, "tm_prelu_eval", "tm_prelu_params_t", inputs=[inp.index, alpha.index],
                  output=out.index, call="binary")
    layer.fields.update(dims=c_array(dims), alpha_strides=c_array(strides), in_zp=inp.zp, alpha_zp=alpha.zp,
                        out_zp=out.zp, pos_mult=pos[0], pos_shift=pos[1], neg_mult=neg[0], neg_shift=neg[1])
    layer.lag = {inp.index: 0}
    return layer
