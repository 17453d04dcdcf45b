"""Lowering of 16x8 models (int16 activations with zero point 0, int8 weights,
int64 biases: the converter's 16x8 mode) to the *_16x8 kernels. An op without
a 16x8 kernel here is refused, naming the op, the layer and TFLM, whose
reference kernels run 16x8."""

import math

import numpy as np

from toolchain.aot import kernel_sizes, lut_16x8, quant
from toolchain.aot.errors import AotError
from toolchain.aot.graph import Graph, Op, Tensor
from toolchain.aot.layer import Const, Layer, c_float, conv_window, describe, fail, nhwc, same_or_valid
from toolchain.aot.lower_misc import lower_add_mul, lower_reshape
from toolchain.aot.lower_reduce import lower_mean

F32 = np.float32


def is_16x8(graph: Graph) -> bool:
    """Whether any op reads or writes an int16 activation."""
    return any(graph.tensors[t].dtype == "int16" for op in graph.ops for t in (*op.inputs[:1], *op.outputs)
               if t >= 0)


def require_16x8(op: Op, graph: Graph, tensors: list[Tensor]) -> None:
    for t in tensors:
        if t.dtype != "int16":
            raise fail(op, graph, f"tensor '{t.name}' is {t.dtype} in a 16x8 model; the AOT 16x8 kernels take "
                       "int16 activations", "quantize the whole model with --quantize int16x8, or use --runtime tflm")
        if t.scale is None or not np.all(np.isfinite(t.scale)) or np.any(t.scale <= 0):
            raise fail(op, graph, f"tensor '{t.name}' has no valid quantization scale")
        if np.any(t.zero_point != 0):
            raise AotError(f"{describe(op, graph)}: int16 tensor '{t.name}' has zero point {int(t.zp)}; 16x8 "
                           "quantization keeps int16 activations symmetric (zero point 0)",
                           "re-quantize with --quantize int16x8 (the TFLite converter's 16x8 mode)")


def _io(op: Op, graph: Graph):
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_16x8(op, graph, [inp, out])
    return inp, out


def _weights(op: Op, graph: Graph, ndim: int) -> Tensor:
    w = graph.tensors[op.inputs[1]] if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
    if w is None or w.data is None or w.dtype != "int8" or len(w.shape) != ndim:
        raise fail(op, graph, f"weights must be a constant int8 tensor of rank {ndim}")
    if w.scale is None or not np.all(np.isfinite(w.scale)) or np.any(w.scale <= 0) or np.any(w.zero_point != 0):
        raise fail(op, graph, f"weights '{w.name}' need valid scales and zero points 0")
    return w


def _bias(op: Op, graph: Graph, n: int) -> np.ndarray:
    if len(op.inputs) < 3 or op.inputs[2] < 0:
        return np.zeros(n, np.int64)
    b = graph.tensors[op.inputs[2]]
    if b.data is None or b.dtype not in ("int64", "int32") or b.size != n:
        raise fail(op, graph, f"bias must be a constant int64 tensor of {n} values (got {b.dtype}{list(b.shape)})")
    return b.data.astype(np.int64).reshape(-1)


def _range(op: Op, out: Tensor) -> tuple[int, int]:
    return quant.activation_range(op.options.get("fused_activation_function", 0), out.sc, 0,
                                  f"layer {op.index} ({op.name})", bits=16)


def _rows(weights: np.ndarray, width: int) -> np.ndarray:
    """[n][...] -> [n][width]: each row's taps, then zeros."""
    rows = weights.reshape(weights.shape[0], -1)
    out = np.zeros((rows.shape[0], width), np.int8)
    out[:, :rows.shape[1]] = rows
    return out


def _weight_copies(layer: Layer, i: int, rows: np.ndarray) -> None:
    """The int8 rows for the portable kernel and the same widened to int16 for
    the DSP twin, each compiled only where its kernel runs (kernels/weights_16x8.h)."""
    layer.consts += [Const(f"l{i}_weights", "int8_t", rows, guard="!defined(__ARM_FEATURE_DSP)"),
                     Const(f"l{i}_weights16", "int16_t", rows.astype(np.int16), guard="defined(__ARM_FEATURE_DSP)")]
    layer.fields.update(weights=f"TM_16X8_W8(l{i}_weights)", weights16=f"TM_16X8_W16(l{i}_weights16)")


def _acc32(rows: np.ndarray, bias: np.ndarray) -> int:
    """1 when every channel's sum fits int32 whatever the input: |bias| + 32768 * sum|w| < 2^31."""
    bound = np.abs(bias.astype(np.int64)) + 32768 * np.abs(rows.astype(np.int64)).sum(axis=1)
    return int(bool(np.all(bound < (1 << 31))))


def _rq16(layer: Layer, i: int, mults: list, shifts: list, acc32: int) -> int:
    """The DSP twins' folded requantization (acc32 only): per channel {multiplier, shift, rounding constant
    low and high words} for kernels/dsp/dot_16x8.h's tm_dsp_requantize_rq16, which computes
    reference/requantize_16x8.h's (acc * Q15 multiplier + 2^(total-1)) >> total with total = 15 - shift.
    Where total <= 32 the multiplier and the constant are scaled by 2^(32-total), so the SMLAL's high word
    is the result (shift 0). Returns acc32, cleared when total is outside [1, 62] or the scaled multiplier
    does not fit int32."""
    rows = []
    for m, s in zip(mults, shifts):
        total = 15 - s
        reduced = (m + (1 << 15)) >> 16 if m < 0x7FFF0000 else 0x7FFF
        scale = max(32 - total, 0)
        if not 1 <= total <= 62 or reduced << scale >= 1 << 31:
            acc32 = 0
            break
        r = 1 << (total - 1 + scale)
        rows.append([reduced << scale, total - 32 + scale, (r & 0xFFFFFFFF) - ((r & 0x80000000) << 1), r >> 32])
    if acc32:
        layer.consts.append(Const(f"l{i}_rq16", "int32_t", np.array(rows, np.int64).reshape(-1),
                                  guard="defined(__ARM_FEATURE_DSP)"))
    layer.fields["rq"] = f"TM_16X8_W16(l{i}_rq16)" if acc32 else "0"
    return acc32


def _channel_consts(layer: Layer, i: int, bias: np.ndarray, mults: list, shifts: list) -> None:
    layer.consts += [Const(f"l{i}_bias", "int64_t", bias), Const(f"l{i}_mult", "int32_t", np.array(mults, np.int64)),
                     Const(f"l{i}_shift", "int32_t", np.array(shifts, np.int64))]
    layer.fields.update(bias=f"l{i}_bias", mult=f"l{i}_mult", shift=f"l{i}_shift")


def lower_fully_connected_16x8(op: Op, graph: Graph) -> Layer:
    inp, out = _io(op, graph)
    w = _weights(op, graph, 2)
    out_depth, in_depth = w.shape
    if inp.size % in_depth or out.size != inp.size // in_depth * out_depth:
        raise fail(op, graph, f"input {list(inp.shape)} does not match weights {list(w.shape)}")
    if len(np.atleast_1d(w.scale)) != 1:
        raise fail(op, graph, "per-channel FULLY_CONNECTED weights in a 16x8 model (TFLM's CMSIS-NN refuses them "
                   "too)", "re-quantize with --quantize int16x8, which keeps dense weights per tensor")
    mults, shifts = quant.fc_multipliers(inp.sc, w.scale, out.sc, 1)
    mult, shift = mults[0], shifts[0]
    lo, hi = _range(op, out)
    row = (in_depth + 3) // 4 * 4
    i = op.index
    layer = Layer(i, op.name, "tm_fully_connected_16x8_eval", "tm_fully_connected_16x8_params_t",
                  inputs=[inp.index], output=out.index)
    rows, bias = _rows(w.data, row), _bias(op, graph, out_depth)
    _weight_copies(layer, i, rows)
    layer.consts.append(Const(f"l{i}_bias", "int64_t", bias))
    layer.fields.update(batches=inp.size // in_depth, in_depth=in_depth, out_depth=out_depth, row=row,
                        act_min=lo, act_max=hi, bias=f"l{i}_bias", mult=mult, shift=shift)
    layer.fields["acc32"] = _rq16(layer, i, [mult], [shift], _acc32(rows, bias))
    layer.macs = inp.size * out_depth
    return layer


def lower_conv_16x8(op: Op, graph: Graph) -> Layer:
    inp, out = _io(op, graph)
    w = _weights(op, graph, 4)
    (ih, iw, ic), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    kh, kw = w.shape[1], w.shape[2]
    if w.shape[0] != oc or w.shape[3] != ic:
        raise fail(op, graph, f"filter {list(w.shape)} does not match input channels {ic} / output {oc}",
                   "grouped convolutions are not supported; use --runtime tflm")
    mults, shifts = quant.per_channel_multipliers(inp.sc, w.scale, out.sc, oc)
    lo, hi = _range(op, out)
    kp = (kh * kw * ic + 3) // 4 * 4
    i = op.index
    layer = Layer(i, op.name, "tm_conv_16x8_eval", "tm_conv_16x8_params_t", inputs=[inp.index], output=out.index)
    rows, bias = _rows(w.data, kp), _bias(op, graph, oc)
    _weight_copies(layer, i, rows)
    _channel_consts(layer, i, bias, mults, shifts)
    layer.fields.update(in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
                        **conv_window(op, graph, ih, iw, kh, kw, oh, ow), kp=kp, act_min=lo, act_max=hi)
    layer.fields["acc32"] = _rq16(layer, i, mults, shifts, _acc32(rows, bias))
    layer.scratch = kernel_sizes.conv_16x8_scratch(layer.fields)
    layer.macs = oh * ow * oc * kh * kw * ic
    return layer


def lower_depthwise_16x8(op: Op, graph: Graph) -> Layer:
    inp, out = _io(op, graph)
    w = _weights(op, graph, 4)
    (ih, iw, ic), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    kh, kw = w.shape[1], w.shape[2]
    if w.shape[0] != 1 or w.shape[3] != oc or oc % ic:
        raise fail(op, graph, f"filter {list(w.shape)} does not match input channels {ic} / output {oc}")
    mults, shifts = quant.per_channel_multipliers(inp.sc, w.scale, out.sc, oc)
    lo, hi = _range(op, out)
    i = op.index
    layer = Layer(i, op.name, "tm_depthwise_conv_16x8_eval", "tm_depthwise_conv_16x8_params_t",
                  inputs=[inp.index], output=out.index)
    layer.consts.append(Const(f"l{i}_weights", "int8_t", w.data.reshape(-1)))
    bias = _bias(op, graph, oc)
    _channel_consts(layer, i, bias, mults, shifts)
    layer.fields.update(in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, depth_mult=oc // ic, k_h=kh,
                        k_w=kw, **conv_window(op, graph, ih, iw, kh, kw, oh, ow), act_min=lo, act_max=hi,
                        weights=f"l{i}_weights")
    layer.fields["acc32"] = _rq16(layer, i, mults, shifts, _acc32(w.data.reshape(-1, oc).T, bias))
    layer.macs = oh * ow * oc * kh * kw
    return layer


def lower_pool_16x8(op: Op, graph: Graph) -> Layer:
    inp, out = _io(op, graph)
    (ih, iw, c), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    o = op.options
    kh, kw, sh, sw = o.get("filter_height", 1), o.get("filter_width", 1), o.get("stride_h", 1), o.get("stride_w", 1)
    if oc != c:
        raise fail(op, graph, "pooling changes the channel count")
    lo, hi = _range(op, out)
    func = "tm_pooling_16x8_average" if op.name == "AVERAGE_POOL_2D" else "tm_pooling_16x8_max"
    layer = Layer(op.index, op.name, func, "tm_pooling_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(in_h=ih, in_w=iw, channels=c, out_h=oh, out_w=ow, k_h=kh, k_w=kw, stride_h=sh, stride_w=sw,
                        pad_top=same_or_valid(op, graph, ih, kh, sh, 1, oh),
                        pad_left=same_or_valid(op, graph, iw, kw, sw, 1, ow), act_min=lo, act_max=hi)
    return layer


def lower_softmax_16x8(op: Op, graph: Graph) -> Layer:
    inp, out = _io(op, graph)
    if inp.size != out.size or not inp.shape:
        raise fail(op, graph, f"input {list(inp.shape)} and output {list(out.shape)} differ")
    if abs(out.sc - 1 / 32768) > 0.001 / 32768:
        raise fail(op, graph, f"output scale {out.sc} is not 1/32768, the 16x8 SOFTMAX output scale")
    depth = int(inp.shape[-1])
    beta = float(np.float32(op.options.get("beta", 1.0)))
    mult, shift = quant.quantize_multiplier(float(np.float64(inp.sc) * beta / (10.0 / 65535.0)))
    i = op.index
    layer = Layer(i, op.name, "tm_softmax_16x8_eval", "tm_softmax_16x8_params_t", inputs=[inp.index],
                  output=out.index)
    layer.consts += [Const(f"l{i}_exp_lut", "int16_t", lut_16x8.softmax_exp().astype(np.int16)),
                     Const(f"l{i}_recip_lut", "int16_t", lut_16x8.softmax_recip().astype(np.int16))]
    layer.fields.update(rows=inp.size // depth, depth=depth, in_mult=mult, in_shift=shift,
                        exp_lut=f"l{i}_exp_lut", recip_lut=f"l{i}_recip_lut")
    return layer


def _sigmoid_rescale(op: Op, graph: Graph, scale: float) -> tuple[int, int]:
    """TFLM's int16 LOGISTIC/TANH prepare: the input rescale to 1/(3 * 4096) units as (multiplier,
    shift). A power-of-two scale whose shift lands at 0 (or 1 for TANH) is 3 << shift; any other scale is
    the double scale * 3 * 4096 doubled until it passes 32767 / 2, truncated."""
    log2 = F32(math.log(F32(scale))) * (F32(1) / F32(math.log(F32(2))))
    rounded = F32(math.floor(abs(float(log2)) + 0.5) * (1 if log2 >= 0 else -1))
    shift = 12 + int(rounded)
    if abs(float(log2 - rounded)) < 1e-3 and shift in ((0, 1) if op.name == "TANH" else (0,)):
        return 3 << shift, 0
    mult, shift = float(np.float32(scale)) * 4096.0 * 3.0, 0
    while mult <= 32767.0 / 2.0 and shift <= 30:
        shift, mult = shift + 1, mult * 2.0
    if int(mult) > 32767:
        raise fail(op, graph, f"input scale {scale} is too large for the 16x8 {op.name} table")
    return int(mult), shift


def lower_sigmoid_16x8(op: Op, graph: Graph) -> Layer:
    inp, out = _io(op, graph)
    if inp.size != out.size:
        raise fail(op, graph, f"input {list(inp.shape)} and output {list(out.shape)} differ")
    if abs(out.sc - 1 / 32768) > 0.001 / 32768:
        raise fail(op, graph, f"output scale {out.sc} is not 1/32768, the 16x8 {op.name} output scale")
    mult, shift = _sigmoid_rescale(op, graph, inp.sc)
    i, kind = op.index, "logistic" if op.name == "LOGISTIC" else "tanh"
    layer = Layer(i, op.name, f"tm_{kind}_16x8_eval", f"tm_{kind}_16x8_params_t", inputs=[inp.index],
                  output=out.index)
    layer.consts.append(Const(f"l{i}_sigmoid", "uint16_t", lut_16x8.sigmoid_q16().astype(np.uint16)))
    layer.fields.update(size=inp.size, mult=mult, shift=shift, table=f"l{i}_sigmoid")
    return layer


def lower_mean_16x8(op: Op, graph: Graph) -> Layer:
    _io(op, graph)
    return lower_mean(op, graph, wide=True)


def lower_add_mul_16x8(op: Op, graph: Graph) -> Layer:
    if len(op.inputs) < 2 or op.inputs[1] < 0:
        raise fail(op, graph, "expected two inputs")
    require_16x8(op, graph, [graph.tensors[t] for t in (*op.inputs[:2], op.outputs[0])])
    return lower_add_mul(op, graph, wide=True)


def lower_quantize_16x8(op: Op, graph: Graph) -> Layer:
    """QUANTIZE float -> int16 or int16 -> int16, DEQUANTIZE int16 -> float."""
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if inp.size != out.size:
        raise fail(op, graph, f"input {list(inp.shape)} and output {list(out.shape)} differ in size")
    fields = dict(count=out.size, scale="0.0f", in_zp=0, out_zp=0, mult=0, shift=0)
    layer = Layer(op.index, op.name, "", "tm_quantize_params_t", fields=fields, inputs=[inp.index], output=out.index)
    if op.name == "QUANTIZE" and inp.dtype == "float32":
        require_16x8(op, graph, [out])
        fields.update(scale=c_float(out.sc))
        layer.func = "tm_quantize_16x8_from_float"
    elif op.name == "QUANTIZE":
        require_16x8(op, graph, [inp, out])
        mult, shift = quant.quantize_multiplier(float(np.float64(inp.sc) / np.float64(out.sc)))
        fields.update(mult=mult, shift=shift)
        layer.func = "tm_quantize_16x8_requantize"
    else:
        require_16x8(op, graph, [inp])
        if out.dtype != "float32":
            raise fail(op, graph, f"DEQUANTIZE to {out.dtype} is not supported (only float32)")
        fields.update(scale=c_float(inp.sc))
        layer.func = "tm_quantize_16x8_to_float"
    return layer


LOWERINGS_16X8 = {
    "QUANTIZE": lower_quantize_16x8, "DEQUANTIZE": lower_quantize_16x8,
    "ADD": lower_add_mul_16x8, "MUL": lower_add_mul_16x8, "MEAN": lower_mean_16x8,
    "SOFTMAX": lower_softmax_16x8, "LOGISTIC": lower_sigmoid_16x8, "TANH": lower_sigmoid_16x8,
    "FULLY_CONNECTED": lower_fully_connected_16x8, "CONV_2D": lower_conv_16x8,
    "DEPTHWISE_CONV_2D": lower_depthwise_16x8, "AVERAGE_POOL_2D": lower_pool_16x8, "MAX_POOL_2D": lower_pool_16x8,
    "RESHAPE": lower_reshape, "SQUEEZE": lower_reshape, "EXPAND_DIMS": lower_reshape,
}


def lower_16x8(op: Op, graph: Graph) -> Layer:
    fn = LOWERINGS_16X8.get(op.name)
    if fn is None:
        raise AotError(f"{describe(op, graph)}: op {op.name} has no 16x8 kernel in the AOT runtime",
                       f"use --runtime tflm (TFLM's reference kernels run 16x8 {op.name}), or deploy the int8 model; "
                       f"AOT 16x8 covers: {', '.join(sorted(LOWERINGS_16X8))}")
    return fn(op, graph)
