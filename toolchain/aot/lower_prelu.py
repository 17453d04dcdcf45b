"""Lowering of PRELU (int8): TFLM's prepare (both multipliers from the float32 scales in double) with the slopes
as a constant that repeats over the trailing axes (one per channel from Keras's PReLU, or one for all)."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, fail, require_int8
from toolchain.aot.lower_misc import _io


def _period(op: Op, graph: Graph, alpha, out) -> int:
    """How many slopes repeat along the output: the alpha tensor must be 1s, then the output's trailing axes."""
    shape = (1,) * (len(out.shape) - len(alpha.shape)) + tuple(alpha.shape)
    lead = next((i for i, s in enumerate(shape) if s != 1), len(shape))
    if len(shape) != len(out.shape) or tuple(shape[lead:]) != tuple(out.shape[lead:]):
        raise fail(op, graph, f"slopes of shape {list(alpha.shape)} do not cover the trailing axes of "
                   f"{list(out.shape)}")
    return int(np.prod(shape[lead:], dtype=np.int64))


def lower_prelu(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph, same_size=True)
    if len(op.inputs) < 2 or op.inputs[1] < 0 or not graph.tensors[op.inputs[1]].is_const:
        raise fail(op, graph, "the slopes are not a constant tensor")
    alpha = graph.tensors[op.inputs[1]]
    require_int8(op, graph, [inp, out, alpha])
    if alpha.scale is not None and len(alpha.scale) > 1:
        raise fail(op, graph, "per-channel quantized slopes (TFLM takes one scale)")
    period = _period(op, graph, alpha, out)
    pos = quant.quantize_multiplier(float(np.float64(np.float32(inp.sc)) / np.float64(np.float32(out.sc))))
    neg = quant.quantize_multiplier(float(np.float64(np.float32(inp.sc)) * np.float64(np.float32(alpha.sc)) /
                                          np.float64(np.float32(out.sc))))
    slopes = alpha.data.astype(np.int64).reshape(-1) - alpha.zp
    layer = Layer(op.index, op.name, "tm_prelu_eval", "tm_prelu_params_t", inputs=[inp.index], output=out.index,
                  consts=[Const(f"l{op.index}_alpha", "int32_t", slopes)])
    layer.fields.update(count=inp.size, period=period, in_zp=inp.zp, out_zp=out.zp, pos_mult=pos[0],
                        pos_shift=pos[1], neg_mult=neg[0], neg_shift=neg[1], alpha=f"l{op.index}_alpha")
    layer.lag = {inp.index: 0}  # each element is read before it is written
    return layer
