"""Lowering of PRELU: alpha (a constant or computed int8 tensor, usually one slope per channel) broadcast
over the input by strides; the two multipliers follow TFLM's prepare (double products of the float32
scales). A 256-entry table holds the outputs that depend on the input code alone: the positive side, and
every code when alpha is one constant value (PyTorch's default nn.PReLU())."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, c_array, fail, require_int8


def _table(in_zp: int, out_zp: int, pos, neg, slope: int | None) -> np.ndarray:
    """Per input code -128..127: the output, as reference/prelu.h computes it; codes below in_zp only when the
    zero-point-corrected alpha `slope` is known (else 0, never read)."""
    def one(q: int) -> int:
        x = q - in_zp
        if x >= 0:
            v = quant.requantize(x, *pos)
        elif slope is None:
            return 0
        else:
            v = quant.requantize(x * slope, *neg)
        return int(np.clip(v + out_zp, -128, 127))
    return np.array([one(q) for q in range(-128, 128)], np.int64)


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
    values = np.unique(alpha.data) if alpha.data is not None else []
    slope = int(values[0]) - alpha.zp if len(values) == 1 else None
    layer.consts.append(Const(f"l{op.index}_table", "int8_t", _table(inp.zp, out.zp, pos, neg, slope)))
    layer.fields.update(dims=c_array(dims), alpha_strides=c_array(strides), in_zp=inp.zp, alpha_zp=alpha.zp,
                        out_zp=out.zp, pos_mult=pos[0], pos_shift=pos[1], neg_mult=neg[0], neg_shift=neg[1],
                        table=f"l{op.index}_table", table_all=int(slope is not None))
    layer.lag = {inp.index: 0}
    return layer
