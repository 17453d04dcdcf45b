"""Lowering of SUB (int8): TFLM's ADD parameters (both inputs to twice the larger scale with 20 bits of
headroom, the sum's rescale to the output), the rescaled second input subtracted instead of added."""

import numpy as np

from toolchain.aot import kernel_sizes, quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Layer, require_int8
from toolchain.aot.lower_misc import _broadcast, _io

LEFT_SHIFT = 20  # TFLM's sub prepare for int8


def lower_sub(op: Op, graph: Graph) -> Layer:
    (a, b), out = _io(op, graph, 2)
    require_int8(op, graph, [a, b, out])
    lo, hi = quant.activation_range(op.options.get("fused_activation_function", 0), out.sc, out.zp,
                                    f"layer {op.index}")
    fields = _broadcast(op, graph, a, b, out)
    twice_max = 2 * np.float64(max(np.float32(a.sc), np.float32(b.sc)))
    m1, s1 = quant.quantize_multiplier(float(np.float64(a.sc) / twice_max))
    m2, s2 = quant.quantize_multiplier(float(np.float64(b.sc) / twice_max))
    mo, so = quant.quantize_multiplier(float(twice_max / ((1 << LEFT_SHIFT) * np.float64(out.sc))))
    fields.update(in1_zp=a.zp, in2_zp=b.zp, out_zp=out.zp, act_min=lo, act_max=hi, in1_mult=m1, in1_shift=s1,
                  in2_mult=m2, in2_shift=s2, left_shift=LEFT_SHIFT, out_mult=mo, out_shift=so)
    layer = Layer(op.index, op.name, "tm_sub_eval", "tm_elementwise_params_t", fields=fields,
                  inputs=[a.index, b.index], output=out.index, call="binary")
    for t in (a.index, b.index):  # ADD's walk (reference/elementwise.h), so ADD's answer
        layer.set_inplace(t, kernel_sizes.elementwise_inplace(fields["contiguous"]))
    return layer
