"""Lowering of the weighted ops: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED."""

import numpy as np

from toolchain.aot import kernel_sizes, quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, conv_window, fail, nhwc, require_int8


def _weights(op: Op, graph: Graph, index: int, ndim: int):
    w = graph.tensors[op.inputs[index]] if len(op.inputs) > index and op.inputs[index] >= 0 else None
    if w is None or w.data is None or w.dtype != "int8" or len(w.shape) != ndim:
        raise fail(op, graph, "weights must be a constant int8 tensor of rank "
                   f"{ndim} (got {w.dtype + str(list(w.shape)) if w else 'none'})")
    if w.scale is None or not np.all(np.isfinite(w.scale)) or np.any(w.scale <= 0):
        raise fail(op, graph, f"weights '{w.name}' have no valid quantization scale")
    if np.any(w.zero_point != 0):
        raise fail(op, graph, "weights have a non-zero zero point; int8 weights must be symmetric")
    return w


def _bias(op: Op, graph: Graph, n: int):
    if len(op.inputs) < 3 or op.inputs[2] < 0:
        return None
    b = graph.tensors[op.inputs[2]]
    if b.data is None or b.dtype != "int32" or b.size != n:
        raise fail(op, graph, f"bias must be a constant int32 tensor of {n} values (got {b.dtype}{list(b.shape)})",
                   "quantize with int32 biases (int8 full-integer PTQ), or use --runtime tflm")
    return b.data


def pair_layout(weights: np.ndarray) -> np.ndarray:
    """[out][k...] -> the channel-pair layout of firmware/runtime/reference/weight_layout.h."""
    rows = weights.reshape(weights.shape[0], -1)
    n, k = rows.shape
    padded = np.zeros((n + n % 2, (k + 3) // 4 * 4), np.int8)
    padded[:n, :k] = rows
    return padded.reshape(padded.shape[0] // 2, 2, -1, 4).transpose(0, 2, 1, 3).reshape(-1)


def row_quad_layout(weights: np.ndarray) -> np.ndarray:
    """[out][k] -> the row-quad layout of firmware/runtime/reference/weight_layout.h."""
    n, k = weights.shape
    padded = np.zeros(((n + 3) // 4 * 4, (k + 3) // 4 * 4), np.int8)
    padded[:n, :k] = weights
    return padded.reshape(padded.shape[0] // 4, 4, -1, 4).transpose(0, 2, 1, 3).reshape(-1)


def quad_layout(weights: np.ndarray) -> np.ndarray:
    """[1][k_h][k_w][c] -> [c/4][k_h][k_w][4] (channels zero-padded to a multiple of 4)."""
    taps = weights.reshape(-1, weights.shape[-1])
    c = taps.shape[1]
    padded = np.zeros((taps.shape[0], (c + 3) // 4 * 4), np.int8)
    padded[:, :c] = taps
    return padded.reshape(taps.shape[0], -1, 4).transpose(1, 0, 2).reshape(-1)


def _common(layer: Layer, op: Op, graph: Graph, inp, out, weights, bias, axis: int, mults, shifts,
            layout=None):
    lo, hi = quant.activation_range(op.options.get("fused_activation_function", 0), out.sc, out.zp,
                                    f"layer {op.index} ({op.name})")
    i = op.index
    layer.consts += [
        Const(f"l{i}_weights", "int8_t", layout(weights) if layout else weights),
        Const(f"l{i}_bias", "int32_t", quant.folded_bias(bias, weights, inp.zp, axis)),
        Const(f"l{i}_mult", "int32_t", np.array(mults, np.int64)),
        Const(f"l{i}_shift", "int32_t", np.array(shifts, np.int64)),
    ]
    layer.fields.update(out_zp=out.zp, act_min=lo, act_max=hi, weights=f"l{i}_weights", bias=f"l{i}_bias",
                        mult=f"l{i}_mult", shift=f"l{i}_shift")


def lower_conv(op: Op, graph: Graph) -> Layer:
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_int8(op, graph, [inp, out])
    w = _weights(op, graph, 1, 4)
    ic, oc = nhwc(op, graph, inp)[2], nhwc(op, graph, out)[2]
    if w.shape[0] != oc or w.shape[3] != ic:
        raise fail(op, graph, f"filter {list(w.shape)} does not match input channels {ic} / output {oc}",
                   "grouped convolutions are not supported; use --runtime tflm")
    return _conv_layer(op, graph, inp, out, w.data, w.scale)


def _conv_layer(op: Op, graph: Graph, inp, out, weights: np.ndarray, w_scale) -> Layer:
    """A tm_conv_eval layer for filter `weights` [out_c][k_h][k_w][in_c] of per-channel scales `w_scale`."""
    (ih, iw, ic), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    kh, kw = weights.shape[1], weights.shape[2]
    win = conv_window(op, graph, ih, iw, kh, kw, oh, ow)
    mults, shifts = quant.per_channel_multipliers(inp.sc, w_scale, out.sc, oc)
    bias, mults, shifts = quant.constant_channels(_bias(op, graph, oc), weights, inp.zp, mults, shifts, out.zp)
    layer = Layer(op.index, op.name, "tm_conv_eval", "tm_conv_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw, **win, in_zp=inp.zp)
    _common(layer, op, graph, inp, out, weights, bias, 0, mults, shifts, pair_layout)
    rq = quant.conv_requant_table(quant.folded_bias(bias, weights, inp.zp, 0), weights, mults, shifts, out.zp)
    if rq is not None:  # for the DSP kernel only: other builds drop it (TM_CONV_RQ in kernels/conv.h)
        layer.consts.append(Const(f"l{op.index}_rq", "int32_t", rq, guard="defined(__ARM_FEATURE_DSP)"))
    layer.fields["rq"] = f"TM_CONV_RQ(l{op.index}_rq)" if rq is not None else "0"
    layer.scratch = kernel_sizes.conv_scratch(layer.fields, rq is not None)
    layer.set_inplace(inp.index, kernel_sizes.conv_inplace(layer.fields))
    layer.macs = oh * ow * oc * kh * kw * ic
    return layer


def lower_depthwise(op: Op, graph: Graph) -> Layer:
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_int8(op, graph, [inp, out])
    w = _weights(op, graph, 1, 4)
    (ih, iw, ic), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    kh, kw = w.shape[1], w.shape[2]
    if w.shape[0] != 1 or w.shape[3] != oc or oc % ic:
        raise fail(op, graph, f"filter {list(w.shape)} does not match input channels {ic} / output {oc}")
    win = conv_window(op, graph, ih, iw, kh, kw, oh, ow)
    three = kh == kw == 3 and win["dil_w"] == win["dil_h"] == 1
    if (ic == 1 or (ic == 2 and oc > ic)) and not three:
        # One input channel: every output channel reads the same taps, so this
        # is a standard convolution with out_c filters of one channel (the
        # converter's form of a 1-channel Conv2D). Two, with a multiplier: a
        # convolution whose filters are zero on the other channel, twice the
        # multiplies but each pixel's patch gathered once for all out_c
        # filters (the depthwise kernels' generic path expands every input row
        # to out_c channels first). Zero taps add nothing, so the sums and the
        # per-channel requantization are TFLM's depthwise ones: bit-exact, run
        # by the conv kernels' pixel tiles. (Undilated 3x3 windows keep the
        # depthwise kernel's paired-row path, faster there: shape sweep rows
        # "16x16x1, multiplier 8" and "32x32x1, multiplier 3" in docs/benchmarks.md.)
        filters = np.zeros((oc, kh, kw, ic), np.int8)
        for c in range(oc):
            filters[c, :, :, c // (oc // ic)] = w.data[0, :, :, c]
        return _conv_layer(op, graph, inp, out, filters, w.scale)
    mults, shifts = quant.per_channel_multipliers(inp.sc, w.scale, out.sc, oc)
    layer = Layer(op.index, op.name, "tm_depthwise_conv_eval", "tm_depthwise_conv_params_t",
                  inputs=[inp.index], output=out.index)
    layer.fields.update(in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, depth_mult=oc // ic,
                        k_h=kh, k_w=kw, **win, in_zp=inp.zp)
    _common(layer, op, graph, inp, out, w.data, _bias(op, graph, oc), 3, mults, shifts, quad_layout)
    layer.set_inplace(inp.index, kernel_sizes.depthwise_inplace(layer.fields))
    layer.scratch = kernel_sizes.depthwise_scratch(layer.fields)
    layer.macs = oh * ow * oc * kh * kw
    return layer


def lower_fully_connected(op: Op, graph: Graph) -> Layer:
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_int8(op, graph, [inp, out])
    w = _weights(op, graph, 1, 2)
    if op.options.get("weights_format", 0) != 0:
        raise fail(op, graph, "shuffled weights format is not supported")
    out_depth, in_depth = w.shape
    if inp.size % in_depth or out.size != inp.size // in_depth * out_depth:
        raise fail(op, graph, f"input {list(inp.shape)} does not match weights {list(w.shape)}")
    mults, shifts = quant.fc_multipliers(inp.sc, w.scale, out.sc, out_depth)
    layer = Layer(op.index, op.name, "tm_fully_connected_eval", "tm_fully_connected_params_t",
                  inputs=[inp.index], output=out.index)
    layer.fields.update(batches=inp.size // in_depth, in_depth=in_depth, out_depth=out_depth)
    bias = _bias(op, graph, out_depth)
    _common(layer, op, graph, inp, out, w.data, bias, 0, mults, shifts, row_quad_layout)
    # The DSP kernel's fast requantization is exact when |acc| stays below 2^30.
    folded = np.abs(quant.folded_bias(bias, w.data, inp.zp, 0).astype(np.int64))
    rounds = quant.folded_rounding(shifts, out.zp)
    if rounds is not None and int(folded.max(initial=0)) + in_depth * (1 << 14) < (1 << 30):
        layer.consts.append(Const(f"l{op.index}_round", "int32_t", rounds))
        layer.fields["round"] = f"l{op.index}_round"
    else:
        layer.fields["round"] = "0"
    layer.macs = inp.size // in_depth * out_depth * in_depth
    return layer
