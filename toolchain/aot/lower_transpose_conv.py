"""Lowering of TRANSPOSE_CONV (int8, per-channel weights): TFLM's padding (computed from the output size, as for a
convolution reading the output) and its conv multipliers."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, fail, nhwc, require_int8


def _padding(out_size: int, k: int, stride: int, same: bool) -> int:
    """TFLM's ComputePaddingHeightWidth with the output as the 'input' size."""
    conv_out = (out_size + stride - 1) // stride if same else (out_size - k + stride) // stride
    return max((conv_out - 1) * stride + k - out_size, 0) // 2


def lower_transpose_conv(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) < 3 or min(op.inputs[:3]) < 0:
        raise fail(op, graph, "expected output shape, weights and input")
    w, inp, out = (graph.tensors[t] for t in (op.inputs[1], op.inputs[2], op.outputs[0]))
    require_int8(op, graph, [inp, out])
    if w.data is None or w.dtype != "int8" or len(w.shape) != 4 or np.any(w.zero_point != 0):
        raise fail(op, graph, "weights must be a constant symmetric int8 tensor [out][k_h][k_w][in]")
    (ih, iw, ic), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    if w.shape[0] != oc or w.shape[3] != ic:
        raise fail(op, graph, f"filter {list(w.shape)} does not match input channels {ic} / output {oc}")
    bias = None
    if len(op.inputs) > 3 and op.inputs[3] >= 0:
        b = graph.tensors[op.inputs[3]]
        if b.data is None or b.dtype != "int32" or b.size != oc:
            raise fail(op, graph, f"bias must be a constant int32 tensor of {oc} values")
        bias = b.data.astype(np.int64).reshape(-1)
    o = op.options
    kh, kw, sh, sw = w.shape[1], w.shape[2], o.get("stride_h", 1), o.get("stride_w", 1)
    same = o.get("padding", 0) == 0
    lo, hi = quant.activation_range(o.get("fused_activation_function", 0), out.sc, out.zp, f"layer {op.index}")
    mults, shifts = quant.per_channel_multipliers(inp.sc, w.scale, out.sc, oc)
    i = op.index
    layer = Layer(i, op.name, "tm_transpose_conv_eval", "tm_transpose_conv_params_t", inputs=[inp.index],
                  output=out.index, consts=[
                      Const(f"l{i}_weights", "int8_t", w.data.reshape(-1)),
                      Const(f"l{i}_bias", "int32_t", np.zeros(oc, np.int64) if bias is None else bias),
                      Const(f"l{i}_mult", "int32_t", np.array(mults, np.int64)),
                      Const(f"l{i}_shift", "int32_t", np.array(shifts, np.int64))])
    layer.fields.update(in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw, stride_h=sh,
                        stride_w=sw, pad_top=_padding(oh, kh, sh, same), pad_left=_padding(ow, kw, sw, same),
                        in_zp=inp.zp, out_zp=out.zp, act_min=lo, act_max=hi, weights=f"l{i}_weights",
                        bias=f"l{i}_bias", mult=f"l{i}_mult", shift=f"l{i}_shift")
    layer.macs = ih * iw * kh * kw * ic * oc
    return layer
