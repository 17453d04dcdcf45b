"""Random int8 single-op and small multi-op models, built directly as
flatbuffers. Each generator takes a numpy Generator and returns .tflite bytes.
Output scales are derived from the expected accumulator spread so outputs
use the int8 range instead of saturating."""

import numpy as np

from tests.aot.tflite_builder import ModelBuilder

ACTS = [0, 1, 2, 3]  # NONE, RELU, RELU_N1_TO_1, RELU6


def _act_tensor(mb, rng, shape, scale=None):
    scale = float(rng.uniform(0.005, 0.1)) if scale is None else scale
    return mb.tensor(shape, "int8", scale, int(rng.integers(-128, 128)))


def _out_scale(rng, in_scale, w_scale, taps):
    spread = np.sqrt(max(taps, 1)) * 74 * in_scale * 74 * float(np.mean(w_scale))
    return float(spread / rng.uniform(10, 60))


def _weights(mb, rng, shape, n_out, axis):
    per_channel = rng.random() < 0.8
    scale = rng.uniform(0.002, 0.02, n_out) if per_channel else np.full(n_out, rng.uniform(0.002, 0.02))
    data = rng.integers(-127, 128, shape)
    return mb.tensor(shape, "int8", scale, np.zeros(n_out, np.int64), data, axis=axis), scale


def _bias(mb, rng, n, in_scale, w_scale):
    scale = in_scale * np.asarray(w_scale)
    return mb.tensor([n], "int32", scale, np.zeros(n, np.int64), rng.integers(-3000, 3000, n))


def _geometry(rng, size, k, stride, dil, same):
    eff = (k - 1) * dil + 1
    return (size + stride - 1) // stride if same else (size - eff + stride) // stride


def _conv_like(rng, depthwise: bool):
    for _ in range(100):
        h, w = int(rng.integers(1, 13)), int(rng.integers(1, 13))
        kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        dh, dw = (int(rng.integers(1, 4)), int(rng.integers(1, 4))) if rng.random() < 0.3 else (1, 1)
        same = bool(rng.random() < 0.5)
        oh, ow = _geometry(rng, h, kh, sh, dh, same), _geometry(rng, w, kw, sw, dw, same)
        if oh >= 1 and ow >= 1:
            return h, w, kh, kw, sh, sw, dh, dw, same, oh, ow
    return 3, 3, 1, 1, 1, 1, 1, 1, True, 3, 3


def conv(rng) -> bytes:
    h, w, kh, kw, sh, sw, dh, dw, same, oh, ow = _conv_like(rng, False)
    cin = int(rng.choice([1, 2, 3, 4, 5, 8, 12, 16]))
    cout = int(rng.integers(1, 13))
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    wt, ws = _weights(mb, rng, [cout, kh, kw, cin], cout, 0)
    b = _bias(mb, rng, cout, s_in, ws)
    y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, kh * kw * cin))
    mb.op("CONV_2D", [x, wt, b], [y], padding=0 if same else 1, stride_w=sw, stride_h=sh,
          fused_activation_function=int(rng.choice(ACTS)), dilation_w_factor=dw, dilation_h_factor=dh)
    return mb.build([x], [y])


def depthwise(rng) -> bytes:
    h, w, kh, kw, sh, sw, dh, dw, same, oh, ow = _conv_like(rng, True)
    cin = int(rng.choice([1, 2, 3, 4, 8, 12]))
    mult = int(rng.choice([1, 1, 2, 3]))
    cout = cin * mult
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    wt, ws = _weights(mb, rng, [1, kh, kw, cout], cout, 3)
    b = _bias(mb, rng, cout, s_in, ws)
    y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, kh * kw))
    mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], padding=0 if same else 1, stride_w=sw, stride_h=sh,
          depth_multiplier=mult, fused_activation_function=int(rng.choice(ACTS)), dilation_w_factor=dw,
          dilation_h_factor=dh)
    return mb.build([x], [y])


def depthwise_3x3(rng) -> bytes:
    """The DSP kernel's paired-rows path: 3x3, no dilation, odd channel counts and multipliers included."""
    cin = int(rng.choice([1, 3, 4, 5, 7, 8, 13, 16]))
    mult = int(rng.choice([1, 1, 1, 2, 3]))
    top = 13 if mult == 1 else 8  # smaller images with a multiplier keep the golden cases within their size
    h, w = int(rng.integers(3, top)), int(rng.integers(3, top))
    s = int(rng.choice([1, 1, 2]))
    same = bool(rng.random() < 0.7)
    oh, ow = _geometry(rng, h, 3, s, 1, same), _geometry(rng, w, 3, s, 1, same)
    cout = cin * mult
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    wt, ws = _weights(mb, rng, [1, 3, 3, cout], cout, 3)
    b = _bias(mb, rng, cout, s_in, ws)
    y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, 9))
    mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], padding=0 if same else 1, stride_w=s, stride_h=s,
          depth_multiplier=mult, fused_activation_function=int(rng.choice(ACTS)), dilation_w_factor=1,
          dilation_h_factor=1)
    return mb.build([x], [y])


def fully_connected(rng) -> bytes:
    batches, din, dout = int(rng.integers(1, 4)), int(rng.integers(1, 70)), int(rng.integers(1, 20))
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [batches, din])
    s_in = mb.tensors[x]["scale"]
    ws = np.full(dout, rng.uniform(0.002, 0.02))
    wt = mb.tensor([dout, din], "int8", ws[:1], [0], rng.integers(-127, 128, (dout, din)))
    b = mb.tensor([dout], "int32", [s_in * ws[0]], [0], rng.integers(-3000, 3000, dout))
    y = _act_tensor(mb, rng, [batches, dout], _out_scale(rng, s_in, ws, din))
    mb.op("FULLY_CONNECTED", [x, wt, b], [y], fused_activation_function=int(rng.choice(ACTS)))
    return mb.build([x], [y])


def pool(rng) -> bytes:
    for _ in range(100):
        h, w, c = int(rng.integers(1, 12)), int(rng.integers(1, 12)), int(rng.integers(1, 9))
        kh, kw, sh, sw = (int(v) for v in rng.integers(1, 4, 4))
        same = bool(rng.random() < 0.5)
        oh, ow = _geometry(rng, h, kh, sh, 1, same), _geometry(rng, w, kw, sw, 1, same)
        if oh >= 1 and ow >= 1:
            break
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-128, 128))
    x = mb.tensor([1, h, w, c], "int8", scale, zp)
    y = mb.tensor([1, oh, ow, c], "int8", scale, zp)
    name = "AVERAGE_POOL_2D" if rng.random() < 0.5 else "MAX_POOL_2D"
    mb.op(name, [x], [y], padding=0 if same else 1, stride_w=sw, stride_h=sh, filter_width=kw, filter_height=kh,
          fused_activation_function=int(rng.choice(ACTS)))
    return mb.build([x], [y])


def _random_shape(rng, rank=None):
    rank = int(rng.integers(1, 5)) if rank is None else rank
    return [int(v) for v in rng.integers(1, 7, rank)]


def add_mul(rng) -> bytes:
    shape = _random_shape(rng, 4)
    other = list(shape)
    if rng.random() < 0.4:  # broadcast some dims
        for d in range(4):
            if rng.random() < 0.5:
                other[d] = 1
    mb = ModelBuilder()
    a = _act_tensor(mb, rng, shape)
    b = _act_tensor(mb, rng, other)
    name = "ADD" if rng.random() < 0.5 else "MUL"
    sa, sb = mb.tensors[a]["scale"], mb.tensors[b]["scale"]
    out_scale = (sa + sb) * rng.uniform(0.5, 2) if name == "ADD" else sa * sb * 128 * rng.uniform(0.3, 2)
    y = _act_tensor(mb, rng, shape, out_scale)
    mb.op(name, [a, b], [y], fused_activation_function=int(rng.choice(ACTS)))
    return _second_operand_const(mb, a, b, y, rng)


def _second_operand_const(mb, a, b, y, rng):
    """Models take one input: make the second operand a constant."""
    t = mb.tensors[b]
    mb.buffers.append(rng.integers(-128, 128, t["shape"]).astype(np.int8).tobytes())
    t["buf"] = len(mb.buffers) - 1
    return mb.build([a], [y])


def softmax(rng) -> bytes:
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 40))]
    mb = ModelBuilder()
    x = mb.tensor(shape, "int8", float(rng.uniform(0.01, 0.3)), int(rng.integers(-128, 128)))
    y = mb.tensor(shape, "int8", 1 / 256, -128)
    mb.op("SOFTMAX", [x], [y], beta=float(rng.choice([1.0, rng.uniform(0.3, 3)])))
    return mb.build([x], [y])


def sigmoid(rng) -> bytes:
    shape = _random_shape(rng)
    name = "LOGISTIC" if rng.random() < 0.5 else "TANH"
    mb = ModelBuilder()
    x = mb.tensor(shape, "int8", float(rng.uniform(0.003, 0.06)), int(rng.integers(-128, 128)))
    y = mb.tensor(shape, "int8", 1 / 256 if name == "LOGISTIC" else 1 / 128, -128 if name == "LOGISTIC" else 0)
    mb.op(name, [x], [y])
    return mb.build([x], [y])


def quantize(rng) -> bytes:
    shape = _random_shape(rng)
    mb = ModelBuilder()
    kind = rng.integers(0, 3)
    if kind == 0:  # float -> int8 -> float
        x = mb.tensor(shape, "float32")
        q = _act_tensor(mb, rng, shape)
        y = mb.tensor(shape, "float32")
        mb.op("QUANTIZE", [x], [q])
        mb.op("DEQUANTIZE", [q], [y])
        return mb.build([x], [y])
    x = _act_tensor(mb, rng, shape)
    y = _act_tensor(mb, rng, shape)
    mb.op("QUANTIZE", [x], [y])
    return mb.build([x], [y])


def pad(rng) -> bytes:
    shape = _random_shape(rng)
    pads = rng.integers(0, 3, (len(shape), 2))
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-128, 128))
    x = mb.tensor(shape, "int8", scale, zp)
    p = mb.tensor([len(shape), 2], "int32", data=pads)
    y = mb.tensor([s + int(a) + int(b) for s, (a, b) in zip(shape, pads)], "int8", scale, zp)
    mb.op("PAD", [x, p], [y])
    return mb.build([x], [y])


def concat(rng) -> bytes:
    shape = _random_shape(rng)
    axis = int(rng.integers(0, len(shape)))
    other = list(shape)
    other[axis] = int(rng.integers(1, 5))
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.01, 0.1)), int(rng.integers(-128, 128))
    a = mb.tensor(shape, "int8", scale, zp)
    b = mb.tensor(other, "int8", scale, zp, rng.integers(-128, 128, other))
    out = list(shape)
    out[axis] += other[axis]
    y = mb.tensor(out, "int8", scale, zp)
    mb.op("CONCATENATION", [a, b], [y], axis=axis - len(shape) if rng.random() < 0.3 else axis)
    return mb.build([a], [y])


def small_cnn(rng) -> bytes:
    """conv -> max pool -> depthwise -> conv 1x1 (+ residual add) -> avg pool -> reshape -> fc -> softmax."""
    h = int(rng.integers(6, 14))
    c0, c1 = int(rng.choice([1, 3, 4])), int(rng.choice([4, 8, 16]))
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, h, c0])
    cur, ch, size = x, c0, h

    def conv_layer(cur, cin, cout, k, stride, size, depthwise=False):
        s_in = mb.tensors[cur]["scale"]
        osize = (size + stride - 1) // stride
        if depthwise:
            wt, ws = _weights(mb, rng, [1, k, k, cout], cout, 3)
            taps = k * k
        else:
            wt, ws = _weights(mb, rng, [cout, k, k, cin], cout, 0)
            taps = k * k * cin
        b = _bias(mb, rng, cout, s_in, ws)
        y = _act_tensor(mb, rng, [1, osize, osize, cout], _out_scale(rng, s_in, ws, taps))
        opts = dict(padding=0, stride_w=stride, stride_h=stride, fused_activation_function=int(rng.choice([1, 3])),
                    dilation_w_factor=1, dilation_h_factor=1)
        if depthwise:
            mb.op("DEPTHWISE_CONV_2D", [cur, wt, b], [y], depth_multiplier=cout // cin, **opts)
        else:
            mb.op("CONV_2D", [cur, wt, b], [y], **opts)
        return y, osize

    cur, size = conv_layer(cur, ch, c1, 3, int(rng.integers(1, 3)), size)
    ch = c1
    if rng.random() < 0.5:
        t = mb.tensors[cur]
        pooled = mb.tensor([1, (size + 1) // 2, (size + 1) // 2, ch], "int8", t["scale"], t["zp"])
        mb.op("MAX_POOL_2D", [cur], [pooled], padding=0, stride_w=2, stride_h=2, filter_width=2, filter_height=2,
              fused_activation_function=0)
        cur, size = pooled, (size + 1) // 2
    skip = cur
    cur, size = conv_layer(cur, ch, ch, 3, 1, size, depthwise=True)
    cur, size = conv_layer(cur, ch, ch, 1, 1, size)
    if rng.random() < 0.5:
        sa, sb = mb.tensors[cur]["scale"], mb.tensors[skip]["scale"]
        y = _act_tensor(mb, rng, [1, size, size, ch], (sa + sb) * 1.5)
        mb.op("ADD", [cur, skip], [y], fused_activation_function=1)
        cur = y
    t = mb.tensors[cur]
    pooled = mb.tensor([1, 1, 1, ch], "int8", t["scale"], t["zp"])
    mb.op("AVERAGE_POOL_2D", [cur], [pooled], padding=1, stride_w=size, stride_h=size, filter_width=size,
          filter_height=size, fused_activation_function=0)
    shape_t = mb.tensor([2], "int32", data=np.array([1, ch]))
    flat = mb.tensor([1, ch], "int8", t["scale"], t["zp"])
    mb.op("RESHAPE", [pooled, shape_t], [flat])
    classes = int(rng.integers(2, 12))
    s_in = t["scale"]
    ws = np.full(classes, rng.uniform(0.002, 0.02))
    wt = mb.tensor([classes, ch], "int8", ws[:1], [0], rng.integers(-127, 128, (classes, ch)))
    b = mb.tensor([classes], "int32", [s_in * ws[0]], [0], rng.integers(-3000, 3000, classes))
    logit_scale = _out_scale(rng, s_in, ws, ch)
    logits = _act_tensor(mb, rng, [1, classes], logit_scale)
    mb.op("FULLY_CONNECTED", [flat, wt, b], [logits], fused_activation_function=0)
    probs = mb.tensor([1, classes], "int8", 1 / 256, -128)
    mb.op("SOFTMAX", [logits], [probs], beta=float(3 / (40 * logit_scale)))
    return mb.build([x], [probs])


GENERATORS = {
    "conv": conv, "depthwise": depthwise, "depthwise_3x3": depthwise_3x3, "fully_connected": fully_connected,
    "pool": pool, "add_mul": add_mul, "softmax": softmax, "sigmoid": sigmoid, "quantize": quantize, "pad": pad,
    "concat": concat, "small_cnn": small_cnn,
}


def _chain_step(mb, rng, cur):
    """One random layer after `cur` (NHWC int8); returns the new tensor."""
    t = mb.tensors[cur]
    _, h, w, c = t["shape"]
    s_in = t["scale"]
    kind = rng.choice(["conv", "depthwise", "pool", "sigmoid", "add", "requant"])
    if kind in ("conv", "depthwise"):
        k = int(rng.choice([1, 3, 5])) if min(h, w) >= 5 else 1
        stride = int(rng.choice([1, 1, 2]))
        same = bool(rng.random() < 0.7)
        oh, ow = _geometry(rng, h, k, stride, 1, same), _geometry(rng, w, k, stride, 1, same)
        if oh < 1 or ow < 1:
            k, same, oh, ow = 1, True, (h + stride - 1) // stride, (w + stride - 1) // stride
        opts = dict(padding=0 if same else 1, stride_w=stride, stride_h=stride,
                    fused_activation_function=int(rng.choice(ACTS)), dilation_w_factor=1, dilation_h_factor=1)
        if kind == "conv":
            cout = int(rng.choice([c, 4, 8, 12]))
            wt, ws = _weights(mb, rng, [cout, k, k, c], cout, 0)
            b = _bias(mb, rng, cout, s_in, ws)
            y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, k * k * c))
            mb.op("CONV_2D", [cur, wt, b], [y], **opts)
        else:
            wt, ws = _weights(mb, rng, [1, k, k, c], c, 3)
            b = _bias(mb, rng, c, s_in, ws)
            y = _act_tensor(mb, rng, [1, oh, ow, c], _out_scale(rng, s_in, ws, k * k))
            mb.op("DEPTHWISE_CONV_2D", [cur, wt, b], [y], depth_multiplier=1, **opts)
        return y
    if kind == "pool":
        k, stride = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        oh, ow = (h + stride - 1) // stride, (w + stride - 1) // stride
        y = mb.tensor([1, oh, ow, c], "int8", s_in, t["zp"])
        mb.op(str(rng.choice(["AVERAGE_POOL_2D", "MAX_POOL_2D"])), [cur], [y], padding=0, stride_w=stride,
              stride_h=stride, filter_width=k, filter_height=k, fused_activation_function=0)
        return y
    if kind == "sigmoid":
        name = str(rng.choice(["LOGISTIC", "TANH"]))
        y = mb.tensor([1, h, w, c], "int8", 1 / 256 if name == "LOGISTIC" else 1 / 128,
                      -128 if name == "LOGISTIC" else 0)
        mb.op(name, [cur], [y])
        return y
    if kind == "add":
        other = mb.tensor([1, h, w, c], "int8", float(rng.uniform(0.01, 0.1)), int(rng.integers(-128, 128)),
                          rng.integers(-128, 128, (1, h, w, c)))
        y = _act_tensor(mb, rng, [1, h, w, c], (s_in + mb.tensors[other]["scale"]) * rng.uniform(0.5, 2))
        mb.op(str(rng.choice(["ADD", "MUL"])) if rng.random() < 0.3 else "ADD", [cur, other], [y],
              fused_activation_function=int(rng.choice(ACTS)))
        return y
    y = _act_tensor(mb, rng, [1, h, w, c])
    mb.op("QUANTIZE", [cur], [y])
    return y


def chain(rng) -> bytes:
    """2-5 random NHWC layers in a row: intermediates live in the arena, so
    the planner's in-place placements get exercised."""
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, int(rng.integers(3, 12)), int(rng.integers(3, 12)), int(rng.choice([1, 3, 4, 8]))])
    cur = x
    for _ in range(int(rng.integers(2, 6))):
        cur = _chain_step(mb, rng, cur)
    return mb.build([x], [cur])


def mean(rng) -> bytes:
    shape = _random_shape(rng)
    axes = sorted(rng.choice(len(shape), size=int(rng.integers(1, len(shape) + 1)), replace=False).tolist())
    keep = bool(rng.random() < 0.5)
    out = [1 if d in axes else s for d, s in enumerate(shape)] if keep else [s for d, s in enumerate(shape)
                                                                           if d not in axes]
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, shape)
    same = rng.random() < 0.3
    y = mb.tensor(out, "int8", mb.tensors[x]["scale"], mb.tensors[x]["zp"]) if same else _act_tensor(mb, rng, out)
    ax = mb.tensor([len(axes)], "int32", data=np.array([a - len(shape) if rng.random() < 0.3 else a for a in axes]))
    mb.op("MEAN", [x, ax], [y], keep_dims=keep)
    return mb.build([x], [y])


def residual(rng) -> bytes:
    """conv -> conv, then an ADD with the block input or a 1x1 shortcut conv
    (or nothing): the chains the AOT scheduler may stream row by row
    (toolchain/aot/fuse.py); tall, wide, dilated and strided windows."""
    h, w, cin = int(rng.integers(6, 17)), int(rng.integers(1, 13)), int(rng.choice([1, 3, 4, 8, 16]))
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, w, cin])
    kind = str(rng.choice(["identity", "shortcut", "plain"]))

    def conv_op(cur, cout, kh, kw, stride, dil, same):
        _, ih, iw, c = mb.tensors[cur]["shape"]
        oh, ow = _geometry(rng, ih, kh, stride, dil, same), _geometry(rng, iw, kw, stride, 1, same)
        if oh < 1 or ow < 1:
            kh, kw, dil, same = 1, 1, 1, True
            oh, ow = (ih + stride - 1) // stride, (iw + stride - 1) // stride
        s_in = mb.tensors[cur]["scale"]
        wt, ws = _weights(mb, rng, [cout, kh, kw, c], cout, 0)
        b = _bias(mb, rng, cout, s_in, ws)
        y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, kh * kw * c))
        mb.op("CONV_2D", [cur, wt, b], [y], padding=0 if same else 1, stride_w=stride, stride_h=stride,
              fused_activation_function=int(rng.choice(ACTS)), dilation_w_factor=1, dilation_h_factor=dil)
        return y

    ca = int(rng.choice([3, 4, 8, 12, 16]))
    if kind == "plain":
        a = conv_op(x, ca, int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 3)),
                    int(rng.integers(1, 3)), bool(rng.random() < 0.5))
        y = conv_op(a, int(rng.integers(1, 13)), int(rng.integers(1, 6)), int(rng.integers(1, 6)),
                    int(rng.integers(1, 3)), int(rng.integers(1, 3)), bool(rng.random() < 0.5))
        return mb.build([x], [y])
    sa, sb = (1, 1) if kind == "identity" else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    cb = cin if kind == "identity" else int(rng.choice([4, 8, 12]))
    a = conv_op(x, ca, int(rng.choice([1, 3, 5])), int(rng.choice([1, 3, 5])), sa, 1, True)
    b = conv_op(a, cb, int(rng.choice([1, 3, 5])), int(rng.choice([1, 3])), sb, int(rng.integers(1, 3)), True)
    skip = x if kind == "identity" else conv_op(x, cb, 1, 1, sa * sb, 1, True)
    y = _act_tensor(mb, rng, mb.tensors[b]["shape"], (mb.tensors[b]["scale"] + mb.tensors[skip]["scale"]) * 1.5)
    mb.op("ADD", [b, skip] if rng.random() < 0.5 else [skip, b], [y], fused_activation_function=int(rng.choice(ACTS)))
    return mb.build([x], [y])


GENERATORS["chain"] = chain
GENERATORS["mean"] = mean
GENERATORS["residual"] = residual


def audio_conv(rng) -> bytes:
    """The convolutions the converter writes for small audio and sensor models: 1 or 2 input channels,
    DEPTHWISE_CONV_2D with a multiplier of 2 to 8 (a 1-channel Conv2D becomes one) or CONV_2D, 1xN and
    Nx1 kernels (Conv1D), strides up to 3, dilation."""
    cin, depthwise = int(rng.choice([1, 2])), bool(rng.random() < 0.7)
    mult, cout = int(rng.integers(2, 9)), int(rng.integers(2, 17))
    if depthwise:
        cout = cin * mult
    shape = rng.choice(["1xN", "Nx1", "NxM"])
    kh = 1 if shape == "1xN" else int(rng.integers(2, 11))
    kw = 1 if shape == "Nx1" else int(rng.integers(2, 9))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = (int(rng.integers(1, 4)), int(rng.integers(1, 4))) if rng.random() < 0.3 else (1, 1)
    same = bool(rng.random() < 0.6)
    h, w = int(rng.integers(kh * dh, kh * dh + 20)), int(rng.integers(kw * dw, kw * dw + 20))
    oh, ow = _geometry(rng, h, kh, sh, dh, same), _geometry(rng, w, kw, sw, dw, same)
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    opts = dict(padding=0 if same else 1, stride_w=sw, stride_h=sh, fused_activation_function=int(rng.choice(ACTS)),
                dilation_w_factor=dw, dilation_h_factor=dh)
    if depthwise:
        wt, ws = _weights(mb, rng, [1, kh, kw, cout], cout, 3)
        taps = kh * kw
    else:
        wt, ws = _weights(mb, rng, [cout, kh, kw, cin], cout, 0)
        taps = kh * kw * cin
    b = _bias(mb, rng, cout, s_in, ws)
    y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, taps))
    if depthwise:
        mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], depth_multiplier=mult, **opts)
    else:
        mb.op("CONV_2D", [x, wt, b], [y], **opts)
    return mb.build([x], [y])


GENERATORS["audio_conv"] = audio_conv


# 16x8: int16 activations with zero point 0, int8 weights, int64 biases (the converter's 16x8 mode).

def _act16(mb, rng, shape, scale=None):
    return mb.tensor(shape, "int16", float(rng.uniform(1e-4, 1e-3)) if scale is None else scale, 0)


def _bias64(mb, rng, n, in_scale, w_scale):
    scale = in_scale * np.asarray(w_scale)
    return mb.tensor([n], "int64", scale, np.zeros(n, np.int64), rng.integers(-300000, 300000, n))


def _out_scale16(rng, in_scale, w_scale, taps):
    spread = np.sqrt(max(taps, 1)) * 10000 * in_scale * 74 * float(np.mean(w_scale))
    return float(spread / rng.uniform(2000, 8000))


def conv_16x8(rng) -> bytes:
    h, w, kh, kw, sh, sw, dh, dw, same, oh, ow = _conv_like(rng, False)
    cin, cout = int(rng.choice([1, 2, 3, 4, 8])), int(rng.integers(1, 13))
    mb = ModelBuilder()
    x = _act16(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    wt, ws = _weights(mb, rng, [cout, kh, kw, cin], cout, 0)
    b = _bias64(mb, rng, cout, s_in, ws)
    y = _act16(mb, rng, [1, oh, ow, cout], _out_scale16(rng, s_in, ws, kh * kw * cin))
    mb.op("CONV_2D", [x, wt, b], [y], padding=0 if same else 1, stride_w=sw, stride_h=sh,
          fused_activation_function=int(rng.choice([0, 1, 3])), dilation_w_factor=dw, dilation_h_factor=dh)
    return mb.build([x], [y])


def depthwise_16x8(rng) -> bytes:
    h, w, kh, kw, sh, sw, dh, dw, same, oh, ow = _conv_like(rng, True)
    # multipliers 4 and 8 take the DSP twin's four-channel path, 2 and 3 its pairs
    cin, mult = int(rng.choice([1, 2, 3, 4, 8])), int(rng.choice([1, 1, 2, 3, 4, 8]))
    cout = cin * mult
    mb = ModelBuilder()
    x = _act16(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    wt, ws = _weights(mb, rng, [1, kh, kw, cout], cout, 3)
    b = _bias64(mb, rng, cout, s_in, ws)
    y = _act16(mb, rng, [1, oh, ow, cout], _out_scale16(rng, s_in, ws, kh * kw))
    mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], padding=0 if same else 1, stride_w=sw, stride_h=sh,
          depth_multiplier=mult, fused_activation_function=int(rng.choice([0, 1, 3])), dilation_w_factor=dw,
          dilation_h_factor=dh)
    return mb.build([x], [y])


def fully_connected_16x8(rng) -> bytes:
    din, dout, batches = int(rng.integers(1, 200)), int(rng.integers(1, 40)), int(rng.choice([1, 1, 2]))
    mb = ModelBuilder()
    x = _act16(mb, rng, [batches, din])
    s_in = mb.tensors[x]["scale"]
    ws = np.full(dout, rng.uniform(0.002, 0.02))
    wt = mb.tensor([dout, din], "int8", ws[:1], [0], rng.integers(-127, 128, (dout, din)))
    b = mb.tensor([dout], "int64", [s_in * ws[0]], [0], rng.integers(-300000, 300000, dout))
    y = _act16(mb, rng, [batches, dout], _out_scale16(rng, s_in, ws, din))
    mb.op("FULLY_CONNECTED", [x, wt, b] if rng.random() < 0.9 else [x, wt, -1], [y],
          fused_activation_function=int(rng.choice([0, 1, 3])))
    return mb.build([x], [y])


def pool_16x8(rng) -> bytes:
    h, w, c = int(rng.integers(1, 13)), int(rng.integers(1, 13)), int(rng.integers(1, 9))
    k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    same = bool(rng.random() < 0.5)
    oh, ow = _geometry(rng, h, k, s, 1, same), _geometry(rng, w, k, s, 1, same)
    if oh < 1 or ow < 1:
        h, w, same, oh, ow = k, k, True, (k + s - 1) // s, (k + s - 1) // s
    mb = ModelBuilder()
    scale = float(rng.uniform(1e-4, 1e-3))
    x, y = mb.tensor([1, h, w, c], "int16", scale, 0), mb.tensor([1, oh, ow, c], "int16", scale, 0)
    mb.op(str(rng.choice(["AVERAGE_POOL_2D", "MAX_POOL_2D"])), [x], [y], padding=0 if same else 1, stride_w=s,
          stride_h=s, filter_width=k, filter_height=k, fused_activation_function=int(rng.choice([0, 1])))
    return mb.build([x], [y])


def softmax_16x8(rng) -> bytes:
    shape = [1, int(rng.integers(1, 40))] if rng.random() < 0.6 else [1, int(rng.integers(1, 5)), int(rng.integers(1, 12))]
    mb = ModelBuilder()
    x = mb.tensor(shape, "int16", float(rng.uniform(1e-4, 2e-3)), 0)
    y = mb.tensor(shape, "int16", 1 / 32768, 0)
    mb.op("SOFTMAX", [x], [y], beta=float(rng.choice([1.0, 1.0, 0.5, 2.0])))
    return mb.build([x], [y])


def sigmoid_16x8(rng) -> bytes:
    """LOGISTIC or TANH, int16 in and out; input scales around and off powers of two (TFLM's two rescale
    paths), output 1/32768."""
    shape = [1, int(rng.integers(1, 64))]
    mb = ModelBuilder()
    scale = float(2.0 ** -int(rng.integers(10, 14))) if rng.random() < 0.3 else float(rng.uniform(5e-5, 2e-3))
    x = mb.tensor(shape, "int16", scale, 0)
    y = mb.tensor(shape, "int16", 1 / 32768, 0)
    mb.op(str(rng.choice(["LOGISTIC", "TANH"])), [x], [y])
    return mb.build([x], [y])


def mean_16x8(rng) -> bytes:
    h, w, c = int(rng.integers(1, 12)), int(rng.integers(1, 12)), int(rng.integers(1, 9))
    mb = ModelBuilder()
    scale = float(rng.uniform(1e-4, 1e-3))
    x = mb.tensor([1, h, w, c], "int16", scale, 0)
    axes = mb.tensor([2], "int32", data=np.array([1, 2]))
    y = mb.tensor([1, 1, 1, c], "int16", scale if rng.random() < 0.3 else float(rng.uniform(1e-4, 1e-3)), 0)
    mb.op("MEAN", [x, axes], [y], keep_dims=True)
    return mb.build([x], [y])


def add_mul_16x8(rng) -> bytes:
    """ADD or MUL of the input and a constant (the same shape, or broadcast over the last dimension)."""
    shape = [1, int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 9))]
    bshape = shape if rng.random() < 0.6 else [shape[-1]]
    name = str(rng.choice(["ADD", "MUL"]))
    sa, sb = float(rng.uniform(1e-4, 1e-3)), float(rng.uniform(1e-4, 1e-3))
    so = (sa + sb) * float(rng.uniform(0.6, 1.5)) if name == "ADD" else sa * sb * 32768 * float(rng.uniform(0.05, 0.5))
    mb = ModelBuilder()
    a = mb.tensor(shape, "int16", sa, 0)
    b = mb.tensor(bshape, "int16", sb, 0, rng.integers(-32768, 32768, bshape))
    y = mb.tensor(shape, "int16", so, 0)
    mb.op(name, [a, b] if rng.random() < 0.5 else [b, a], [y], fused_activation_function=int(rng.choice([0, 1])))
    return mb.build([a], [y])


def quantize_16x8(rng) -> bytes:
    """float -> int16, int16 -> int16 (another scale) or int16 -> float."""
    shape = [1, int(rng.integers(1, 40))]
    kind = str(rng.choice(["from_float", "requantize", "to_float"]))
    mb = ModelBuilder()
    s1, s2 = float(rng.uniform(1e-4, 1e-3)), float(rng.uniform(1e-4, 1e-3))
    x = mb.tensor(shape, "float32") if kind == "from_float" else mb.tensor(shape, "int16", s1, 0)
    y = mb.tensor(shape, "float32") if kind == "to_float" else mb.tensor(shape, "int16", s2, 0)
    mb.op("DEQUANTIZE" if kind == "to_float" else "QUANTIZE", [x], [y])
    return mb.build([x], [y])


GENERATORS_16X8 = {"quantize_16x8": quantize_16x8, "add_mul_16x8": add_mul_16x8, "mean_16x8": mean_16x8, "softmax_16x8": softmax_16x8, "sigmoid_16x8": sigmoid_16x8, "conv_16x8": conv_16x8, "depthwise_16x8": depthwise_16x8,
                   "fully_connected_16x8": fully_connected_16x8, "pool_16x8": pool_16x8}
GENERATORS.update(GENERATORS_16X8)  # the random-model suites (host and QEMU) cover 16x8 too


def relu(rng) -> bytes:
    """A standalone RELU, RELU6 or LEAKY_RELU (alpha in [0, 0.5]) between random input and output quantizations."""
    shape = _random_shape(rng)
    name = ["RELU", "RELU6", "LEAKY_RELU"][int(rng.integers(3))]
    mb = ModelBuilder()
    x = mb.tensor(shape, "int8", float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 128)))
    y = mb.tensor(shape, "int8", float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 0)))
    mb.op(name, [x], [y], **({"alpha": float(rng.uniform(0, 0.5))} if name == "LEAKY_RELU" else {}))
    return mb.build([x], [y])


GENERATORS["relu"] = relu


def transpose(rng) -> bytes:
    """A TRANSPOSE of a rank 2 to 4 int8 tensor by a random permutation."""
    rank = int(rng.integers(2, 5))
    shape = [int(v) for v in rng.integers(1, 7, rank)]
    perm = rng.permutation(rank)
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 128))
    x = mb.tensor(shape, "int8", scale, zp)
    p = mb.tensor([rank], "int32", data=perm.astype(np.int32))
    y = mb.tensor([shape[i] for i in perm], "int8", scale, zp)
    mb.op("TRANSPOSE", [x, p], [y])
    return mb.build([x], [y])


GENERATORS["transpose"] = transpose


def split(rng) -> bytes:
    """SPLIT or SPLIT_V along a random axis of a rank 1 to 4 tensor, its pieces joined back in reverse order
    (the model has one output; the reversal makes a wrong piece visible)."""
    shape = _random_shape(rng)
    axis = int(rng.integers(0, len(shape)))
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 128))
    x = mb.tensor(shape, "int8", scale, zp)
    if rng.random() < 0.5:
        n = int(rng.choice([d for d in range(1, shape[axis] + 1) if shape[axis] % d == 0]))
        sizes = [shape[axis] // n] * n
    else:
        cuts = sorted(rng.choice(np.arange(1, shape[axis]), int(rng.integers(0, shape[axis])), replace=False)) \
            if shape[axis] > 1 else []
        sizes = np.diff([0, *cuts, shape[axis]]).tolist()
    outs = [mb.tensor(shape[:axis] + [s] + shape[axis + 1:], "int8", scale, zp) for s in sizes]
    ax = mb.tensor([1] if rng.random() < 0.5 else [], "int32",
                   data=np.array([axis - len(shape) if rng.random() < 0.3 else axis], np.int32))
    if len(sizes) > 1 and rng.random() < 0.5 or len(sizes) == 1 and rng.random() < 0.5:
        sz = mb.tensor([len(sizes)], "int32", data=np.array(sizes, np.int32))
        mb.op("SPLIT_V", [x, sz, ax], outs, num_splits=len(sizes))
    else:
        if len(set(sizes)) > 1:
            sizes = [shape[axis]]
            outs = [mb.tensor(shape, "int8", scale, zp)]
        mb.op("SPLIT", [ax, x], outs, num_splits=len(sizes))
    if len(outs) == 1:
        return mb.build([x], outs)
    y = mb.tensor(shape, "int8", scale, zp)
    mb.op("CONCATENATION", outs[::-1], [y], axis=axis)
    return mb.build([x], [y])


GENERATORS["split"] = split


def strided_slice(rng) -> bytes:
    """A STRIDED_SLICE of a rank 1 to 4 tensor: random begin/end (negative ones too), steps of either sign,
    begin, end and shrink masks. The output shape comes from numpy's slicing of the same indices."""
    shape = _random_shape(rng)
    rank = len(shape)
    for _ in range(100):
        begin = [int(rng.integers(-d - 1, d + 2)) for d in shape]
        end = [int(rng.integers(-d - 1, d + 2)) for d in shape]
        steps = [int(rng.choice([-2, -1, 1, 1, 1, 2, 3])) for _ in shape]
        bmask, emask = int(rng.integers(0, 1 << rank)), int(rng.integers(0, 1 << rank))
        shrink = int(rng.integers(0, 1 << rank)) if rng.random() < 0.3 else 0
        index = []
        for k, d in enumerate(shape):
            if shrink >> k & 1:
                begin[k], end[k], steps[k] = int(rng.integers(-d, d)), 0, 1
                index.append(begin[k])
            else:
                index.append(slice(None if bmask >> k & 1 else begin[k], None if emask >> k & 1 else end[k], steps[k]))
        out_shape = list(np.empty(shape)[tuple(index)].shape)
        if 0 not in out_shape:
            break
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 128))
    x = mb.tensor(shape, "int8", scale, zp)
    consts = [mb.tensor([rank], "int32", data=np.array(v, np.int32)) for v in (begin, end, steps)]
    y = mb.tensor(out_shape, "int8", scale, zp)
    mb.op("STRIDED_SLICE", [x, *consts], [y], begin_mask=bmask, end_mask=emask, shrink_axis_mask=shrink)
    return mb.build([x], [y])


GENERATORS["strided_slice"] = strided_slice


def gather(rng) -> bytes:
    """A GATHER from a computed rank 1 to 4 table by constant indices (rank 1 or 2) along a random axis."""
    shape = _random_shape(rng)
    axis = int(rng.integers(0, len(shape)))
    idx_shape = [int(rng.integers(1, 6))] if rng.random() < 0.7 else [int(rng.integers(1, 3)), int(rng.integers(1, 4))]
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 128))
    x = mb.tensor(shape, "int8", scale, zp)
    idx = mb.tensor(idx_shape, "int32", data=rng.integers(0, shape[axis], idx_shape).astype(np.int32))
    y = mb.tensor(shape[:axis] + idx_shape + shape[axis + 1:], "int8", scale, zp)
    mb.op("GATHER", [x, idx], [y], axis=axis - len(shape) if rng.random() < 0.3 else axis)
    return mb.build([x], [y])


GENERATORS["gather"] = gather


def resize_nearest(rng) -> bytes:
    """RESIZE_NEAREST_NEIGHBOR of [1, H, W, C] up (often 2x) or down, each corner/centre convention."""
    h, w, c = int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 9))
    oh, ow = (2 * h, 2 * w) if rng.random() < 0.4 else (int(rng.integers(1, 17)), int(rng.integers(1, 17)))
    align, half = [(False, False), (True, False), (False, True)][int(rng.integers(0, 3))]
    mb = ModelBuilder()
    scale, zp = float(rng.uniform(0.005, 0.08)), int(rng.integers(-128, 128))
    x = mb.tensor([1, h, w, c], "int8", scale, zp)
    size = mb.tensor([2], "int32", data=np.array([oh, ow], np.int32))
    y = mb.tensor([1, oh, ow, c], "int8", scale, zp)
    mb.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [y], align_corners=align, half_pixel_centers=half)
    return mb.build([x], [y])


GENERATORS["resize_nearest"] = resize_nearest


def prelu(rng) -> bytes:
    """PRELU of a rank 1 to 4 tensor with a constant alpha: one slope per channel (as converters emit it), one
    for all, or one per element."""
    shape = _random_shape(rng)
    kind = rng.random()
    a_shape = [shape[-1]] if kind < 0.5 else ([1] if kind < 0.7 else list(shape))
    if len(shape) > 1 and kind < 0.25:
        a_shape = [1] * (len(shape) - 2) + [1, shape[-1]]
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, shape)
    a_scale = float(rng.uniform(0.001, 0.01))
    alpha = mb.tensor(a_shape, "int8", a_scale, int(rng.integers(-20, 21)) if rng.random() < 0.5 else 0,
                      rng.integers(-128, 128, a_shape))
    y = _act_tensor(mb, rng, shape, mb.tensors[x]["scale"] * float(rng.uniform(0.5, 2)))
    mb.op("PRELU", [x, alpha], [y])
    return mb.build([x], [y])


GENERATORS["prelu"] = prelu


def batch_matmul(rng) -> bytes:
    """BATCH_MATMUL: the input times itself transposed (attention scores) or times a constant, ranks 2 to 4,
    broadcast batch dims, adj_x / adj_y."""
    batch = [int(v) for v in rng.integers(1, 4, int(rng.integers(0, 3)))]
    m, k = int(rng.integers(1, 9)), int(rng.integers(1, 17))
    adj_x = bool(rng.random() < 0.3)
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, batch + ([k, m] if adj_x else [m, k]))
    s_in = mb.tensors[x]["scale"]
    if rng.random() < 0.5:  # x times x transposed: rows and cols both m
        rhs, adj_y, n, s_r, out_batch = x, not adj_x, m, s_in, batch
    else:
        n, adj_y = int(rng.integers(1, 9)), bool(rng.random() < 0.5)
        r_batch = [1 if rng.random() < 0.5 else b for b in batch][int(rng.integers(0, len(batch) + 1)):]
        s_r = float(rng.uniform(0.005, 0.05))
        shape = r_batch + ([n, k] if adj_y else [k, n])
        rhs = mb.tensor(shape, "int8", s_r, int(rng.integers(-20, 21)), rng.integers(-128, 128, shape))
        out_batch = batch
    y = _act_tensor(mb, rng, out_batch + [m, n], _out_scale(rng, s_in, s_r, k))
    mb.op("BATCH_MATMUL", [x, rhs], [y], adj_x=adj_x, adj_y=adj_y)
    return mb.build([x], [y])


GENERATORS["batch_matmul"] = batch_matmul


def transpose_conv(rng) -> bytes:
    """TRANSPOSE_CONV of [1, H, W, C]: SAME or VALID, strides 1 to 3, filters 1 to 5, per-channel or per-tensor
    weights, with or without a bias, a random fused activation."""
    h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    kh, kw, sh, sw = int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    same = bool(rng.random() < 0.5)
    oh, ow = (h * sh, w * sw) if same else ((h - 1) * sh + kh, (w - 1) * sw + kw)
    if rng.random() < 0.3:  # a cropped output (PyTorch's padding without output_padding): TFLM pads from its size
        oh, ow = (h - 1) * sh + int(rng.integers(1, kh + 1)), (w - 1) * sw + int(rng.integers(1, kw + 1))
    cin, cout = int(rng.choice([1, 2, 3, 4, 8])), int(rng.integers(1, 9))
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, [1, h, w, cin])
    s_in = mb.tensors[x]["scale"]
    shape = mb.tensor([4], "int32", data=np.array([1, oh, ow, cout], np.int32))
    wt, ws = _weights(mb, rng, [cout, kh, kw, cin], cout, 0)
    ins = [shape, wt, x] + ([_bias(mb, rng, cout, s_in, ws)] if rng.random() < 0.7 else [])
    taps = max(1, kh * kw * cin // (sh * sw))
    y = _act_tensor(mb, rng, [1, oh, ow, cout], _out_scale(rng, s_in, ws, taps))
    mb.op("TRANSPOSE_CONV", ins, [y], padding=0 if same else 1, stride_w=sw, stride_h=sh,
          fused_activation_function=int(rng.choice(ACTS)))
    return mb.build([x], [y])


GENERATORS["transpose_conv"] = transpose_conv


def sub(rng) -> bytes:
    """SUB of a random-quantized input and a constant (either side, sometimes broadcast), any fused activation."""
    shape = _random_shape(rng, 4)
    other = [1 if rng.random() < 0.3 else d for d in shape]
    mb = ModelBuilder()
    x = _act_tensor(mb, rng, shape)
    c = _act_tensor(mb, rng, other)
    mb.tensors[c]["buf"] = len(mb.buffers)
    mb.buffers.append(rng.integers(-128, 128, other).astype(np.int8).tobytes())
    out_scale = (mb.tensors[x]["scale"] + mb.tensors[c]["scale"]) * rng.uniform(0.5, 2)
    y = _act_tensor(mb, rng, shape, out_scale)
    mb.op("SUB", [x, c] if rng.random() < 0.5 else [c, x], [y], fused_activation_function=int(rng.choice(ACTS)))
    return mb.build([x], [y])


GENERATORS["sub"] = sub


def hard_swish(rng) -> bytes:
    """HARD_SWISH with input scales from 0.001 to 0.5 (both signs of TFLM's relu-ish exponent) and output scales
    from a third to twice the input's."""
    shape = _random_shape(rng)
    mb = ModelBuilder()
    in_scale = float(np.exp(rng.uniform(np.log(1e-3), np.log(0.5))))
    x = mb.tensor(shape, "int8", in_scale, int(rng.integers(-128, 128)))
    y = mb.tensor(shape, "int8", in_scale * float(rng.uniform(0.3, 2)), int(rng.integers(-128, 60)))
    mb.op("HARD_SWISH", [x], [y])
    return mb.build([x], [y])


GENERATORS["hard_swish"] = hard_swish
