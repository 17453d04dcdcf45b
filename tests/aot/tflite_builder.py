"""Build .tflite flatbuffers directly (no TF converter): fast, and every
option is under the test's control. Uses the flatc-generated builder
functions of the `tflite` package."""

import importlib

import flatbuffers
import numpy as np
import tflite

_TYPES = {"float32": tflite.TensorType.FLOAT32, "int32": tflite.TensorType.INT32, "int8": tflite.TensorType.INT8,
          "int64": tflite.TensorType.INT64, "uint8": tflite.TensorType.UINT8, "int16": tflite.TensorType.INT16}

# op name -> builtin options table name
OPTIONS = {
    "CONV_2D": "Conv2DOptions", "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "FULLY_CONNECTED": "FullyConnectedOptions", "AVERAGE_POOL_2D": "Pool2DOptions", "MAX_POOL_2D": "Pool2DOptions",
    "ADD": "AddOptions", "MUL": "MulOptions", "SOFTMAX": "SoftmaxOptions", "RESHAPE": "ReshapeOptions",
    "CONCATENATION": "ConcatenationOptions", "PAD": "PadOptions", "MEAN": "ReducerOptions",
    "QUANTIZE": "QuantizeOptions", "DEQUANTIZE": "DequantizeOptions", "LOGISTIC": None, "TANH": None,
    "RELU": None, "RELU6": None, "LEAKY_RELU": "LeakyReluOptions", "TRANSPOSE": "TransposeOptions",
    "SPLIT": "SplitOptions", "SPLIT_V": "SplitVOptions", "STRIDED_SLICE": "StridedSliceOptions",
    "GATHER": "GatherOptions", "RESIZE_NEAREST_NEIGHBOR": "ResizeNearestNeighborOptions", "PRELU": None,
    "BATCH_MATMUL": "BatchMatMulOptions", "TRANSPOSE_CONV": "TransposeConvOptions",
    "SUB": "SubOptions", "HARD_SWISH": None,
}


def _mod(name):
    return importlib.import_module(f"tflite.{name}")


def _camel(key: str) -> str:
    return "".join(p.capitalize() for p in key.split("_"))


class ModelBuilder:
    def __init__(self):
        self.tensors: list[dict] = []
        self.buffers: list[bytes] = [b""]
        self.ops: list[tuple] = []
        self.codes: list[str] = []

    def tensor(self, shape, dtype="int8", scale=None, zp=None, data=None, axis=0) -> int:
        buf = 0
        if data is not None:
            self.buffers.append(np.ascontiguousarray(data, dtype=dtype).tobytes())
            buf = len(self.buffers) - 1
        self.tensors.append(dict(shape=list(shape), dtype=dtype, scale=scale, zp=zp, buf=buf, axis=axis))
        return len(self.tensors) - 1

    def op(self, name: str, inputs: list[int], outputs: list[int], **options) -> None:
        if name not in self.codes:
            self.codes.append(name)
        self.ops.append((name, inputs, outputs, options))

    def build(self, inputs: list[int], outputs: list[int]) -> bytes:
        b = flatbuffers.Builder(1024)
        buffers = [self._buffer(b, data) for data in self.buffers]
        tensors = [self._tensor(b, i, t) for i, t in enumerate(self.tensors)]
        ops = [self._operator(b, *op) for op in self.ops]
        codes = [self._opcode(b, name) for name in self.codes]
        M = _mod("SubGraph")
        t_vec = self._offsets(b, M.StartTensorsVector, tensors)
        o_vec = self._offsets(b, M.StartOperatorsVector, ops)
        i_vec = self._ints(b, M.StartInputsVector, inputs)
        out_vec = self._ints(b, M.StartOutputsVector, outputs)
        M.Start(b)
        M.AddTensors(b, t_vec)
        M.AddOperators(b, o_vec)
        M.AddInputs(b, i_vec)
        M.AddOutputs(b, out_vec)
        sub = M.End(b)
        Mo = _mod("Model")
        sub_vec = self._offsets(b, Mo.StartSubgraphsVector, [sub])
        code_vec = self._offsets(b, Mo.StartOperatorCodesVector, codes)
        buf_vec = self._offsets(b, Mo.StartBuffersVector, buffers)
        desc = b.CreateString("aot test model")
        Mo.Start(b)
        Mo.AddVersion(b, 3)
        Mo.AddOperatorCodes(b, code_vec)
        Mo.AddSubgraphs(b, sub_vec)
        Mo.AddDescription(b, desc)
        Mo.AddBuffers(b, buf_vec)
        b.Finish(Mo.End(b), file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _offsets(b, start, items):
        start(b, len(items))
        for x in reversed(items):
            b.PrependUOffsetTRelative(x)
        return b.EndVector()

    @staticmethod
    def _ints(b, start, items, prepend="PrependInt32"):
        start(b, len(items))
        for x in reversed(items):
            getattr(b, prepend)(int(x))
        return b.EndVector()

    def _buffer(self, b, data: bytes):
        M = _mod("Buffer")
        vec = b.CreateNumpyVector(np.frombuffer(data, np.uint8)) if data else None
        M.Start(b)
        if vec is not None:
            M.AddData(b, vec)
        return M.End(b)

    def _tensor(self, b, i, t):
        Q, T = _mod("QuantizationParameters"), _mod("Tensor")
        q = None
        if t["scale"] is not None:
            scale = np.atleast_1d(np.asarray(t["scale"], np.float32))
            zp = np.atleast_1d(np.asarray(t["zp"] if t["zp"] is not None else 0, np.int64))
            zp = np.broadcast_to(zp, scale.shape)
            s_vec = b.CreateNumpyVector(scale)
            z_vec = b.CreateNumpyVector(np.ascontiguousarray(zp))
            Q.Start(b)
            Q.AddScale(b, s_vec)
            Q.AddZeroPoint(b, z_vec)
            Q.AddQuantizedDimension(b, t["axis"])
            q = Q.End(b)
        name = b.CreateString(f"t{i}")
        shape = self._ints(b, T.StartShapeVector, t["shape"])
        T.Start(b)
        T.AddShape(b, shape)
        T.AddType(b, _TYPES[t["dtype"]])
        T.AddBuffer(b, t["buf"])
        T.AddName(b, name)
        if q is not None:
            T.AddQuantization(b, q)
        return T.End(b)

    def _operator(self, b, name, inputs, outputs, options):
        O = _mod("Operator")
        opts, opts_type = None, 0
        table = OPTIONS.get(name)
        if table:
            M = _mod(table)
            M.Start(b)
            for k, v in options.items():
                getattr(M, f"Add{_camel(k)}")(b, v)
            opts, opts_type = M.End(b), getattr(tflite.BuiltinOptions, table)
        i_vec = self._ints(b, O.StartInputsVector, inputs)
        o_vec = self._ints(b, O.StartOutputsVector, outputs)
        O.Start(b)
        O.AddOpcodeIndex(b, self.codes.index(name))
        O.AddInputs(b, i_vec)
        O.AddOutputs(b, o_vec)
        if opts is not None:
            O.AddBuiltinOptionsType(b, opts_type)
            O.AddBuiltinOptions(b, opts)
        return O.End(b)

    def _opcode(self, b, name):
        C = _mod("OperatorCode")
        code = getattr(tflite.BuiltinOperator, name)
        C.Start(b)
        C.AddDeprecatedBuiltinCode(b, min(code, 127))
        C.AddBuiltinCode(b, code)
        C.AddVersion(b, 1)
        return C.End(b)
