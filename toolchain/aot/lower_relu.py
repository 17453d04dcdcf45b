"""Lowering of standalone RELU, RELU6 and LEAKY_RELU (the converter emits them where no layer before
them can take a fused activation: after an ADD, a pooling or a concatenation). One kernel, two
multipliers; each op's multipliers and clamp follow TFLM's prepare, float32 products included."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, fail, require_int8
from toolchain.aot.lower_misc import _io

IDENTITY = (1 << 30, 1)  # multiplier and shift that requantize x to x exactly


def _quantize(value: float, scale, zp: int) -> int:
    """TFLM's FloatToQuantizedType: round(value / scale) (float32 division) + zp, clamped to int8."""
    return int(np.clip(quant._round_half_away(float(np.float32(value) / np.float32(scale))) + zp, -128, 127))


def lower_relu(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph, same_size=True)
    require_int8(op, graph, [inp, out])
    in_sc, out_sc = np.float32(inp.sc), np.float32(out.sc)
    if op.name == "RELU6":  # TFLM clamps in the input's units and keeps them: no rescaling
        pos = neg = IDENTITY
        out_zp, lo, hi = inp.zp, max(-128, inp.zp), _quantize(6.0, in_sc, inp.zp)
    else:
        pos = quant.quantize_multiplier(float(in_sc / out_sc))
        out_zp, lo, hi = out.zp, -128, 127
        if op.name == "RELU":
            neg, lo = pos, max(-128, out.zp)
        else:
            alpha = np.float32(op.options.get("alpha", 0.2))
            if alpha < 0:
                raise fail(op, graph, f"a negative alpha ({float(alpha)}) is not lowered")
            neg = quant.quantize_multiplier(float(in_sc * alpha / out_sc))
    layer = Layer(op.index, op.name, "tm_relu_eval", "tm_relu_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(count=inp.size, in_zp=inp.zp, out_zp=out_zp, pos_mult=pos[0], pos_shift=pos[1],
                        neg_mult=neg[0], neg_shift=neg[1], act_min=lo, act_max=hi)
    layer.lag = {inp.index: 0}
    return layer
