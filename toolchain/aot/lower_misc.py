"""Lowering of the unweighted ops: pooling, ADD/MUL, activations,
(de)quantization, reshapes and data movement."""

import math

import numpy as np

from toolchain.aot import kernel_sizes, quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, c_array, c_float, fail, nhwc, require_int8, same_or_valid


def _io(op: Op, graph: Graph, n_in: int = 1, same_size: bool = False):
    if len(op.inputs) < n_in or len(op.outputs) != 1 or any(t < 0 for t in op.inputs[:n_in]):
        raise fail(op, graph, f"expected {n_in} input(s) and one output")
    ins, out = [graph.tensors[t] for t in op.inputs[:n_in]], graph.tensors[op.outputs[0]]
    if same_size and ins[0].size != out.size:
        raise fail(op, graph, f"input {list(ins[0].shape)} and output {list(out.shape)} differ in size")
    return ins, out


def lower_pool(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph)
    require_int8(op, graph, [inp, out])
    (ih, iw, c), (oh, ow, oc) = nhwc(op, graph, inp), nhwc(op, graph, out)
    o = op.options
    kh, kw, sh, sw = o.get("filter_height", 1), o.get("filter_width", 1), o.get("stride_h", 1), o.get("stride_w", 1)
    pt = same_or_valid(op, graph, ih, kh, sh, 1, oh)
    pl = same_or_valid(op, graph, iw, kw, sw, 1, ow)
    if oc != c:
        raise fail(op, graph, "pooling changes the channel count")
    lo, hi = quant.activation_range(o.get("fused_activation_function", 0), out.sc, out.zp, f"layer {op.index}")
    func = "tm_pooling_average" if op.name == "AVERAGE_POOL_2D" else "tm_pooling_max"
    layer = Layer(op.index, op.name, func, "tm_pooling_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(in_h=ih, in_w=iw, channels=c, out_h=oh, out_w=ow, k_h=kh, k_w=kw, stride_h=sh,
                        stride_w=sw, pad_top=pt, pad_left=pl, act_min=lo, act_max=hi)
    layer.set_inplace(inp.index, kernel_sizes.pooling_inplace(layer.fields))
    return layer


def _broadcast(op: Op, graph: Graph, a, b, out) -> dict:
    if max(len(a.shape), len(b.shape), len(out.shape)) > 4:
        raise fail(op, graph, "broadcasting beyond 4 dimensions is not supported")
    dims = [1] * (4 - len(out.shape)) + list(out.shape)

    def strides(t):
        shape = [1] * (4 - len(t.shape)) + list(t.shape)
        s, acc = [0] * 4, 1
        for d in range(3, -1, -1):
            if shape[d] != dims[d] and shape[d] != 1:
                raise fail(op, graph, f"shapes {list(a.shape)} and {list(b.shape)} do not broadcast")
            s[d] = 0 if shape[d] == 1 and dims[d] != 1 else acc
            acc *= shape[d]
        return s

    contiguous = int(a.size == b.size == out.size)
    return dict(dims=c_array(dims), stride1=c_array(strides(a)), stride2=c_array(strides(b)),
                count=out.size, contiguous=contiguous)


# Same-shape ADDs with at least this many elements get lookup tables.
ADD_TABLE_MIN = 256


def lower_add_mul(op: Op, graph: Graph, wide: bool = False) -> Layer:
    """ADD or MUL; `wide`: a 16x8 model's int16 one (its tensors checked by the caller), whose ADD keeps
    15 bits of headroom instead of 20 (TFLM's add prepare), without lookup tables."""
    (a, b), out = _io(op, graph, 2)
    if not wide:
        require_int8(op, graph, [a, b, out])
    lo, hi = quant.activation_range(op.options.get("fused_activation_function", 0), out.sc, out.zp, f"layer {op.index}",
                                    bits=16 if wide else 8)
    fields = _broadcast(op, graph, a, b, out)
    fields.update(in1_zp=a.zp, in2_zp=b.zp, out_zp=out.zp, act_min=lo, act_max=hi)
    kind = "tm_elementwise_16x8" if wide else "tm_elementwise"
    if op.name == "ADD":
        left = 15 if wide else 20
        twice_max = 2 * np.float64(max(np.float32(a.sc), np.float32(b.sc)))
        m1, s1 = quant.quantize_multiplier(float(np.float64(a.sc) / twice_max))
        m2, s2 = quant.quantize_multiplier(float(np.float64(b.sc) / twice_max))
        mo, so = quant.quantize_multiplier(float(twice_max / ((1 << left) * np.float64(out.sc))))
        fields.update(in1_mult=m1, in1_shift=s1, in2_mult=m2, in2_shift=s2, left_shift=left, out_mult=mo, out_shift=so)
        func = f"{kind}_add"
        # Lookup tables of each input's rescaled value (2 x 1 KB of flash)
        # when the DSP kernel's table path is exact: output right shift in
        # [1, 22] and a positive multiplier; worth it from a few hundred elements.
        if not wide and fields["contiguous"] and out.size >= ADD_TABLE_MIN and -22 <= so <= -1 and mo > 0:
            consts = [Const(f"l{op.index}_table1", "int32_t", quant.add_input_table(a.zp, m1, s1, 20)),
                      Const(f"l{op.index}_table2", "int32_t", quant.add_input_table(b.zp, m2, s2, 20))]
            fields.update(table1=consts[0].name, table2=consts[1].name)
    else:
        mo, so = quant.quantize_multiplier(float(np.float64(a.sc) * np.float64(b.sc) / np.float64(out.sc)))
        fields.update(in1_mult=0, in1_shift=0, in2_mult=0, in2_shift=0, left_shift=0, out_mult=mo, out_shift=so)
        func = f"{kind}_mul"
    layer = Layer(op.index, op.name, func, "tm_elementwise_params_t", fields=fields,
                  inputs=[a.index, b.index], output=out.index, call="binary")
    if "table1" in fields:
        layer.consts += consts
    if not wide:  # the int8 kernels' answer; the 16x8 ones are not asked, so never in place
        for t in (a.index, b.index):
            layer.set_inplace(t, kernel_sizes.elementwise_inplace(fields["contiguous"]))
    return layer


def _require_output_quant(op: Op, graph: Graph, out, scale: float, zp: int) -> None:
    if abs(out.sc - scale) > 1e-3 * scale or out.zp != zp:
        raise fail(op, graph, f"int8 output must have scale {scale} and zero point {zp} "
                   f"(has {out.sc}, {out.zp})", "re-quantize the model with the TFLite converter")


def lower_softmax(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph, same_size=True)
    require_int8(op, graph, [inp, out])
    _require_output_quant(op, graph, out, 1 / 256, -128)
    beta = float(np.float32(op.options.get("beta", 1.0)))
    real = min(beta * np.float64(inp.sc) * (1 << 26), (1 << 31) - 1.0)
    mult, shift = quant.quantize_multiplier(float(real))
    if shift < 0:
        raise fail(op, graph, f"beta * input scale {real / (1 << 26):g} is too small for int8 softmax")
    depth = inp.shape[-1] if inp.shape else 1
    layer = Layer(op.index, op.name, "tm_activation_softmax", "tm_softmax_params_t", inputs=[inp.index],
                  output=out.index)
    layer.fields.update(rows=inp.size // max(depth, 1), depth=depth, beta_mult=mult, beta_left_shift=shift,
                        diff_min=-quant.input_radius(5, shift))
    layer.set_inplace(inp.index, kernel_sizes.activation_inplace())
    return layer


def lower_sigmoid(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph, same_size=True)
    require_int8(op, graph, [inp, out])
    if op.name == "LOGISTIC":
        _require_output_quant(op, graph, out, 1 / 256, -128)
    else:
        _require_output_quant(op, graph, out, 1 / 128, 0)
    q, shift = math.frexp(float(np.float64(inp.sc) * (1 << 27)))
    mult = int(math.floor(abs(q) * (1 << 31) + 0.5))
    func = "tm_activation_logistic" if op.name == "LOGISTIC" else "tm_activation_tanh"
    layer = Layer(op.index, op.name, func, "tm_sigmoid_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(count=inp.size, in_zp=inp.zp, range_radius=quant.input_radius(4, shift),
                        in_mult=mult if mult < 2**31 else -(2**31), in_shift=shift)
    layer.set_inplace(inp.index, kernel_sizes.activation_inplace())
    return layer


def lower_quantize(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph, same_size=True)
    fields = dict(count=out.size, scale="0.0f", in_zp=0, out_zp=0, mult=0, shift=0)
    layer = Layer(op.index, op.name, "", "tm_quantize_params_t", fields=fields, inputs=[inp.index], output=out.index)
    if op.name == "QUANTIZE" and inp.dtype == "float32":
        require_int8(op, graph, [out])
        fields.update(scale=c_float(out.sc), out_zp=out.zp)
        layer.func = "tm_quantize_from_float"
    elif op.name == "QUANTIZE":
        require_int8(op, graph, [inp, out])
        mult, shift = quant.quantize_multiplier(float(np.float64(inp.sc) / np.float64(out.sc)))
        fields.update(in_zp=inp.zp, out_zp=out.zp, mult=mult, shift=shift)
        layer.func = "tm_quantize_requantize"
        layer.set_inplace(inp.index, kernel_sizes.quantize_inplace())
    else:
        require_int8(op, graph, [inp])
        if out.dtype != "float32":
            raise fail(op, graph, f"DEQUANTIZE to {out.dtype} is not supported (only float32)")
        fields.update(scale=c_float(inp.sc), in_zp=inp.zp)
        layer.func = "tm_quantize_to_float"
    return layer


def lower_reshape(op: Op, graph: Graph) -> Layer:
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if inp.nbytes != out.nbytes or inp.dtype != out.dtype:
        raise fail(op, graph, f"reshape from {list(inp.shape)} to {list(out.shape)} changes the size")
    return Layer(op.index, op.name, "", inputs=[inp.index], output=out.index, call="alias")


def lower_pad(op: Op, graph: Graph) -> Layer:
    inp, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_int8(op, graph, [inp, out])
    pads = graph.tensors[op.inputs[1]] if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
    if pads is None or pads.data is None or pads.data.shape != (len(inp.shape), 2) or len(inp.shape) > 4:
        raise fail(op, graph, "paddings must be a constant [rank, 2] tensor, rank <= 4")
    value = out.zp
    if op.name == "PADV2" and len(op.inputs) > 2 and op.inputs[2] >= 0:
        cval = graph.tensors[op.inputs[2]]
        if cval.data is None:
            raise fail(op, graph, "the pad value must be constant")
        value = int(cval.data.reshape(-1)[0])
    lead = 4 - len(inp.shape)
    p = [[0, 0]] * lead + pads.data.astype(int).tolist()
    if any(v < 0 for row in p for v in row):
        raise fail(op, graph, "negative paddings are not supported")
    if list(out.shape) != [d + a + b for d, (a, b) in zip(inp.shape, p[lead:])]:
        raise fail(op, graph, f"output shape {list(out.shape)} does not match the paddings")
    layer = Layer(op.index, op.name, "tm_layout_pad", "tm_layout_pad_params_t", inputs=[inp.index], output=out.index)
    layer.fields.update(in_dims=c_array([1] * lead + list(inp.shape)), before=c_array([r[0] for r in p]),
                        after=c_array([r[1] for r in p]), elem_bytes=1, value=c_array([value & 0xFF, 0, 0, 0]))
    return layer


def lower_concat(op: Op, graph: Graph) -> Layer:
    ins = [graph.tensors[t] for t in op.inputs]
    out = graph.tensors[op.outputs[0]]
    require_int8(op, graph, ins + [out])
    if any(t.zp != out.zp or t.sc != out.sc for t in ins) or op.options.get("fused_activation_function", 0):
        raise fail(op, graph, "inputs must share the output's quantization and no activation may be fused")
    axis = op.options.get("axis", 0)
    axis = axis + len(out.shape) if axis < 0 else axis
    if not 0 <= axis < len(out.shape):
        raise fail(op, graph, f"axis {axis} is out of range")
    if (any(len(t.shape) != len(out.shape) for t in ins)
            or sum(t.shape[axis] for t in ins) != out.shape[axis]
            or any(t.shape[:axis] + t.shape[axis + 1:] != out.shape[:axis] + out.shape[axis + 1:] for t in ins)):
        raise fail(op, graph, f"input shapes {[list(t.shape) for t in ins]} do not concatenate to {list(out.shape)}")
    outer = int(np.prod(out.shape[:axis], dtype=np.int64))
    chunks = [t.size // max(outer, 1) for t in ins]
    layer = Layer(op.index, op.name, "tm_layout_concat", "tm_layout_concat_params_t",
                  inputs=[t.index for t in ins], output=out.index, call="concat")
    layer.consts.append(Const(f"l{op.index}_chunks", "int32_t", np.array(chunks)))
    layer.fields.update(outer=outer, count=len(ins), chunk_bytes=f"l{op.index}_chunks")
    return layer
