"""Lowering of MEAN (int8, and int16 in 16x8 models)."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, c_array, fail, require_int8


def lower_mean(op: Op, graph: Graph, wide: bool = False) -> Layer:
    """MEAN; `wide`: a 16x8 model's int16 MEAN (its tensors checked by the caller)."""
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if not wide:
        require_int8(op, graph, [inp, out])
    axes_t = graph.tensors[op.inputs[1]] if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
    rank = len(inp.shape)
    if axes_t is None or axes_t.data is None or rank > 4:
        raise fail(op, graph, "the axes must be a constant tensor and the input rank at most 4")
    axes = sorted({int(a) + rank if a < 0 else int(a) for a in axes_t.data.reshape(-1)})
    if any(not 0 <= a < rank for a in axes):
        raise fail(op, graph, f"axes {axes_t.data.tolist()} out of range for rank {rank}")
    count = int(np.prod([inp.shape[a] for a in axes], dtype=np.int64))
    if out.size * count != inp.size or count == 0:
        raise fail(op, graph, f"output {list(out.shape)} does not match reducing {list(inp.shape)} over {axes}")
    mult, shift = quant.quantize_multiplier(float(np.float64(inp.sc) / np.float64(out.sc)))
    # Fold the division by count into the multiplier: up to 32 more bits of
    # precision, while the shift stays >= -31.
    extra = min(count.bit_length() - 1, 32, 31 + shift)
    mult, shift = (mult << extra) // count, shift - extra
    lead = 4 - rank
    if wide and count >= 1 << 16:
        raise fail(op, graph, f"MEAN over {count} int16 values: the int32 sum could overflow", "use --runtime tflm")
    func = "tm_reduce_16x8_mean" if wide else "tm_reduce_mean"
    layer = Layer(op.index, op.name, func, "tm_reduce_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(dims=c_array([1] * lead + list(inp.shape)),
                        reduced=c_array([0] * lead + [int(d in axes) for d in range(rank)]),
                        count=count, in_zp=inp.zp, out_zp=out.zp, mult=mult, shift=shift)
    return layer
