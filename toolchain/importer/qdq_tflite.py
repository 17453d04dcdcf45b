"""A QGraph (qdq.py) written as a .tflite flatbuffer: the QDQ model's own integers, scales and zero points, no
converter in between (a converter would re-derive them)."""

import numpy as np

from toolchain.importer.qdq import QGraph, QTensor

TYPES = {"int8": 9, "int32": 2}  # TensorType


def _options(s, op: str, o: dict):
    """(BuiltinOptions type, options object) of one op."""
    padding = {"SAME": s.Padding.SAME, "VALID": s.Padding.VALID}
    if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        opt = s.Conv2DOptionsT() if op == "CONV_2D" else s.DepthwiseConv2DOptionsT()
        opt.padding = padding[o["padding"]]
        opt.strideH, opt.strideW = o["stride"]
        opt.dilationHFactor, opt.dilationWFactor = o["dilation"]
        if op == "DEPTHWISE_CONV_2D":
            opt.depthMultiplier = o["depth_multiplier"]
            return s.BuiltinOptions.DepthwiseConv2DOptions, opt
        return s.BuiltinOptions.Conv2DOptions, opt
    if op in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        opt = s.Pool2DOptionsT()
        opt.padding = padding[o["padding"]]
        opt.strideH, opt.strideW = o["stride"]
        opt.filterHeight, opt.filterWidth = o["filter"]
        return s.BuiltinOptions.Pool2DOptions, opt
    if op == "FULLY_CONNECTED":
        return s.BuiltinOptions.FullyConnectedOptions, s.FullyConnectedOptionsT()
    if op == "MEAN":
        opt = s.ReducerOptionsT()
        opt.keepDims = o["keep_dims"]
        return s.BuiltinOptions.ReducerOptions, opt
    if op == "RESHAPE":
        opt = s.ReshapeOptionsT()
        opt.newShape = o["new_shape"]
        return s.BuiltinOptions.ReshapeOptions, opt
    if op == "SOFTMAX":
        opt = s.SoftmaxOptionsT()
        opt.beta = o["beta"]
        return s.BuiltinOptions.SoftmaxOptions, opt
    if op == "ADD":
        return s.BuiltinOptions.AddOptions, s.AddOptionsT()
    if op == "QUANTIZE":
        return s.BuiltinOptions.QuantizeOptions, s.QuantizeOptionsT()
    if op == "PAD":
        return s.BuiltinOptions.PadOptions, s.PadOptionsT()
    return s.BuiltinOptions.NONE, None


def _tensor(s, t: QTensor, index_of_buffer: int):
    tt = s.TensorT()
    tt.name = t.name
    tt.shape = list(t.shape)
    tt.type = TYPES[t.dtype]
    tt.buffer = index_of_buffer
    if t.scale is not None:
        q = s.QuantizationParametersT()
        q.scale = [float(v) for v in t.scale]
        q.zeroPoint = [int(v) for v in t.zero_point]
        q.quantizedDimension = t.axis
        tt.quantization = q
    return tt


def write(g: QGraph) -> bytes:
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    buffers = [s.BufferT()]  # buffer 0: the empty one every activation points at
    names = [g.input] + [op.output for op in g.ops]
    names += [n for op in g.ops for n in op.inputs if n not in names]
    names = list(dict.fromkeys(names))
    tensors = []
    for n in names:
        t = g.tensors[n]
        buf = 0
        if t.data is not None:
            b = s.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(t.data.astype(t.dtype)).tobytes(), np.uint8)
            buffers.append(b)
            buf = len(buffers) - 1
        tensors.append(_tensor(s, t, buf))
    index = {n: i for i, n in enumerate(names)}
    codes: list[str] = []
    operators = []
    for op in g.ops:
        if op.op not in codes:
            codes.append(op.op)
        o = s.OperatorT()
        o.opcodeIndex = codes.index(op.op)
        o.inputs = [index[n] for n in op.inputs]
        o.outputs = [index[op.output]]
        o.builtinOptionsType, o.builtinOptions = _options(s, op.op, op.options)
        operators.append(o)
    sub = s.SubGraphT()
    sub.tensors, sub.operators, sub.name = tensors, operators, "main"
    sub.inputs, sub.outputs = [index[g.input]], [index[g.output]]
    model = s.ModelT()
    model.version = 3
    model.description = "toolchain: imported from a QDQ ONNX model with its own quantization"
    model.subgraphs, model.buffers = [sub], buffers
    model.operatorCodes = []
    for name in codes:
        c = s.OperatorCodeT()
        c.builtinCode = getattr(s.BuiltinOperator, name)
        c.deprecatedBuiltinCode = min(c.builtinCode, 127)
        c.version = 1
        model.operatorCodes.append(c)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
