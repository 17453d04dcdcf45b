"""The ops that change spatial size other than convolution and pooling: Pad (zeros), Resize (nearest, integer
factors), ConvTranspose and Slice (spatial, step 1), as ZeroPadding, UpSampling, ConvTranspose and Cropping Keras
layers (PAD, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE_CONV and STRIDED_SLICE on the device)."""

import numpy as np

from toolchain.importer.errors import OnnxError
from toolchain.importer.lower_ops import Context, spatial_dims, zero_padding


def _text(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def pad(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    a = ctx.attrs(node)
    mode = _text(a.get("mode", "constant"))
    pads = a.get("pads") if "pads" in a else ctx.constants.get(node.input[1]) if len(node.input) > 1 else None
    value = ctx.constants.get(node.input[2]) if len(node.input) > 2 and node.input[2] else a.get("value", 0.0)
    if len(node.input) > 3 and node.input[3]:
        raise OnnxError("pads only some axes (the axes input)", "export Pad with pads for every axis")
    if pads is None or mode != "constant" or float(np.asarray(value).reshape(-1)[0] if np.size(value) else 0) != 0:
        raise OnnxError(f"mode '{mode}' with value {value}", "the importer lowers zero padding (mode 'constant', "
                        "value 0), as PyTorch's ZeroPad and F.pad write it")
    rank = len(x.perm)
    pads = [int(p) for p in pads]
    begin, end = pads[:rank], pads[rank:]
    if any(begin[:2]) or any(end[:2]) or min(pads) < 0:
        raise OnnxError(f"pads {pads} touch the batch or channel axis, or crop", "pad the spatial axes only")
    dims = spatial_dims(x)
    ctx.put(node, zero_padding(ctx.keras.layers, x.t, dims, begin[2:], end[2:]), x.perm)


def resize(ctx: Context, node) -> None:
    """Nearest-neighbour upsampling by integer factors (Upsample in PyTorch), where every coordinate mode picks
    input floor(i / factor)."""
    x = ctx.value(node.input[0])
    dims = spatial_dims(x)
    a = ctx.attrs(node)
    mode, coords = _text(a.get("mode", "nearest")), _text(a.get("coordinate_transformation_mode", "half_pixel"))
    logical = x.logical
    scales = ctx.constants.get(node.input[2]) if len(node.input) > 2 and node.input[2] else None
    sizes = ctx.constants.get(node.input[3]) if len(node.input) > 3 and node.input[3] else None
    if (scales is None or not np.size(scales)) and sizes is not None:
        scales = np.asarray(sizes, np.float64) / np.asarray(logical, np.float64)
    if mode != "nearest" or coords in ("align_corners", "tf_crop_and_resize") or scales is None or not np.size(scales):
        raise OnnxError(f"mode '{mode}', coordinates '{coords}'", "the importer lowers nearest-neighbour resizing by "
                        "integer factors (nn.Upsample(scale_factor=2)); resize to other sizes before the model")
    scales = np.asarray(scales, np.float64).reshape(-1)
    factors = [int(round(s)) for s in scales[2:]]
    if list(scales[:2]) != [1, 1] or any(f < 1 or abs(f - s) > 1e-6 for f, s in zip(factors, scales[2:])):
        raise OnnxError(f"scales {scales.tolist()} are not integer factors of the spatial axes",
                        "upsample by whole factors (2, 3, ...)")
    k = ctx.keras.layers
    layer = k.UpSampling1D(factors[0]) if dims == 1 else k.UpSampling2D(tuple(factors), interpolation="nearest")
    ctx.put(node, layer(x.t), x.perm)


def conv_transpose(ctx: Context, node) -> None:
    x = ctx.value(node.input[0])
    dims = spatial_dims(x)
    if dims != 2:
        raise OnnxError("a 1-D transposed convolution", "the importer lowers 2-D ConvTranspose")
    if node.input[1] not in ctx.constants:
        raise OnnxError("takes its weights from the model's input", "export ConvTranspose with constant weights")
    w = ctx.constants[node.input[1]]  # (in, out, kh, kw)
    a = ctx.attrs(node)
    kernel = tuple(w.shape[2:])
    strides = tuple(a.get("strides", [1, 1]))
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])) or any(a.get("output_padding", [0])):
        raise OnnxError("groups, dilations or output_padding", "the importer lowers plain ConvTranspose "
                        "(group 1, no dilation, no output_padding)")
    if _text(a.get("auto_pad", "NOTSET")) != "NOTSET" or "output_shape" in a:
        raise OnnxError("auto_pad or output_shape", "export ConvTranspose with explicit pads")
    pads = list(a.get("pads", [0, 0, 0, 0]))
    bias = ctx.constants[node.input[2]] if len(node.input) > 2 and node.input[2] else np.zeros(w.shape[1], np.float32)
    k = ctx.keras.layers
    # TF's 'same' cuts k - s rows, the smaller half first (PyTorch's ConvTranspose2d(k=4, stride=2, padding=1));
    # other pads are cut after a 'valid' one (a STRIDED_SLICE on the device)
    same = [(kk - s) // 2 for kk, s in zip(kernel, strides)] + [kk - s - (kk - s) // 2 for kk, s in zip(kernel, strides)]
    padding = "same" if any(pads) and all(kk >= s for kk, s in zip(kernel, strides)) and pads == same else "valid"
    layer = k.Conv2DTranspose(w.shape[1], kernel, strides=strides, padding=padding)
    out = layer(x.t)
    crop = padding == "valid" and any(pads)
    if crop:
        out = k.Cropping2D(((pads[0], pads[2]), (pads[1], pads[3])))(out)
    ctx.weights[layer] = [np.asarray(w.transpose(2, 3, 1, 0), np.float32), np.asarray(bias, np.float32)]
    ctx.put(node, out, x.perm)
    if not crop:
        ctx.producer[node.output[0]] = (layer, "transpose")


def slice_spatial(ctx: Context, node) -> None:
    """Slice with step 1 along spatial axes (x[:, :, :-2], how a causal Conv1d drops its right padding): a
    Cropping layer (STRIDED_SLICE on the device)."""
    x = ctx.value(node.input[0])
    dims = spatial_dims(x)
    a = ctx.attrs(node)
    if "starts" in a:  # opset 1-9 attributes; inputs from 10
        starts, ends, axes, steps = a["starts"], a["ends"], a.get("axes"), None
    else:
        given = [ctx.constants.get(i) if i else None for i in list(node.input[1:]) + [""] * (5 - len(node.input))]
        if given[0] is None or given[1] is None or any(i and i not in ctx.constants for i in node.input[1:]):
            raise OnnxError("takes its bounds from the model's input", "export Slice with constant bounds")
        starts, ends, axes, steps = given[0], given[1], given[2], given[3]
    rank = len(x.perm)
    axes = [int(v) % rank for v in (range(len(starts)) if axes is None else axes)]
    steps = [1] * len(axes) if steps is None else [int(v) for v in steps]
    logical = x.logical
    crop = {axis: (0, 0) for axis in range(2, rank)}
    for axis, start, end, step in zip(axes, starts, ends, steps):
        size = logical[axis]
        begin = max(0, min(size, int(start) + size if int(start) < 0 else int(start)))
        stop = max(0, min(size, int(end) + size if int(end) < 0 else int(end)))
        if step != 1 or axis < 2 or stop <= begin:
            raise OnnxError(f"slices axis {axis} from {int(start)} to {int(end)} by {step}",
                            "the importer lowers slices of the spatial axes with step 1")
        crop[axis] = (begin, size - stop)
    k = ctx.keras.layers
    cuts = [crop[axis] for axis in range(2, rank)]
    layer = k.Cropping1D(cuts[0]) if dims == 1 else k.Cropping2D(tuple(cuts))
    ctx.put(node, layer(x.t), x.perm)
