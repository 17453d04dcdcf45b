"""Lowering of TRANSPOSE_CONV on int8 (inputs: output shape, weights [out_c, k_h, k_w, in_c], input, optional
bias). The padding is TFLM's: that of the forward convolution from the output size back to the input, with
the per-channel multipliers of CONV_2D."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, fail, require_int8


def _padding(same: bool, size: int, k: int, stride: int) -> int:
    forward = (size + stride - 1) // stride if same else (size - k + stride) // stride
    return max((forward - 1) * stride + k - size, 0) // 2


def lower_transpose_conv(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) not in (3, 4) or len(op.outputs) != 1 or min(op.inputs[:3]) < 0:
        raise fail(op, graph, "expected the output shape, weights, input (and a bias) and one output")
    shape_t, w, inp, out = (graph.tensors[t] for t in (*op.inputs[:3], op.outputs[0]))
    require_int8(op, graph, [inp, out])
    if len(inp.shape) != 4 or len(out.shape) != 4 or inp.shape[0] != 1 or out.shape[0] != 1:
        raise fail(op, graph, f"input {list(inp.shape)} and output {list(out.shape)} must be [1, H, W, C]")
    (ih, iw, ic), (oh, ow, oc) = inp.shape[1:], out.shape[1:]
    if shape_t.data is None or shape_t.data.reshape(-1).tolist() != list(out.shape):
        raise fail(op, graph, "the output shape must be a constant equal to the output tensor's shape")
    if w.data is None or w.dtype != "int8" or len(w.shape) != 4 or w.shape[0] != oc or w.shape[3] != ic:
        raise fail(op, graph, f"weights must be a constant int8 [{oc}, k_h, k_w, {ic}] tensor")
    if w.scale is None or np.any(w.zero_point != 0):
        raise fail(op, graph, "weights must be quantized symmetrically (zero point 0)")
    bias = graph.tensors[op.inputs[3]] if len(op.inputs) == 4 and op.inputs[3] >= 0 else None
    if bias is not None and (bias.data is None or bias.dtype != "int32" or bias.size != oc):
        raise fail(op, graph, f"bias must be a constant int32 tensor of {oc} values")
    o = op.options
    kh, kw, sh, sw = w.shape[1], w.shape[2], o.get("stride_h", 1), o.get("stride_w", 1)
    if sh < 1 or sw < 1:
        raise fail(op, graph, f"strides {sh}x{sw} must be >= 1")
    same = o.get("padding", 0) == 0
    mults, shifts = quant.per_channel_multipliers(inp.sc, w.scale, out.sc, oc)
    lo, hi = quant.activation_range(o.get("fused_activation_function", 0), out.sc, out.zp,
                                    f"layer {op.index} ({op.name})")
    i = op.index
    layer = Layer(i, op.name, "tm_transpose_conv_eval", "tm_transpose_conv_params_t", inputs=[inp.index],
                  output=out.index, macs=ih * iw * ic * kh * kw * oc)
    layer.consts += [Const(f"l{i}_weights", "int8_t", w.data),
                     Const(f"l{i}_bias", "int32_t", bias.data if bias is not None else np.zeros(oc, np.int32)),
                     Const(f"l{i}_mult", "int32_t", np.array(mults, np.int64)),
                     Const(f"l{i}_shift", "int32_t", np.array(shifts, np.int64))]
    layer.fields.update(in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw, stride_h=sh,
                        stride_w=sw, pad_top=_padding(same, oh, kh, sh), pad_left=_padding(same, ow, kw, sw),
                        in_zp=inp.zp, out_zp=out.zp, act_min=lo, act_max=hi, weights=f"l{i}_weights",
                        bias=f"l{i}_bias", mult=f"l{i}_mult", shift=f"l{i}_shift")
    return layer
