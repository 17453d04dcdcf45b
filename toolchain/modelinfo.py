"""Facts of a .tflite file, read with the `tflite` flatbuffer package: its
builtin ops, its input and output tensors (shape, dtype, quantization, size)
and whether it is full-integer. The one place that validates a model file:
anything that is not a TFLite flatbuffer gives one clear error. It needs no
interpreter, so a model that TFLM accepts but LiteRT's stricter checks refuse
is still read.

The dtype table below is the only one: numpy type, TFLite type, C element
type, and for the harness's I/O dtypes their C enum (tm_dtype_t, generated into
tm_dtype.h by toolchain.harness_protocol) and name on the serial link."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tflite

from toolchain.errors import ToolchainError

MAX_BYTES = 64 << 20  # far above any microcontroller model; guards against a wrong file

OP_NAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}


@dataclass(frozen=True)
class DType:
    name: str              # numpy / harness name
    numpy: str             # numpy dtype string (little-endian)
    tflite: str            # TFLite TensorType name
    ctype: str | None      # C element type in generated code; None: emitted as bytes
    tm_enum: str | None = None  # tm_dtype_t name (generated tm_dtype.h); None: the harness cannot carry it
    code: int | None = None     # its value in the C enum

    @property
    def size(self) -> int:
        """Bytes per element."""
        return np.dtype(self.numpy).itemsize


# Every tensor element type the tools read; the ones with a C enum are the harness's I/O dtypes.
TENSOR_TYPES = {d.name: d for d in (
    DType("int8", "i1", "INT8", "int8_t", "TM_DTYPE_INT8", 0),
    DType("uint8", "u1", "UINT8", "uint8_t", "TM_DTYPE_UINT8", 1),
    DType("int16", "<i2", "INT16", "int16_t", "TM_DTYPE_INT16", 2),
    DType("float32", "<f4", "FLOAT32", "float", "TM_DTYPE_FLOAT32", 3),
    DType("int32", "<i4", "INT32", "int32_t"), DType("int64", "<i8", "INT64", "int64_t"),
    DType("bool", "?", "BOOL", None), DType("float16", "<f2", "FLOAT16", None),
)}
DTYPES = {name: d for name, d in TENSOR_TYPES.items() if d.tm_enum}  # what a deployed model's I/O may be
# TFLite tensor type name -> our dtype name, for the types a deployed model's I/O may have
_TFLITE_DTYPES = {d.tflite: d.name for d in DTYPES.values()}


def c_type(dtype: str) -> str:
    """The C element type of generated code for a tensor of `dtype` (bytes when it has none)."""
    d = TENSOR_TYPES.get(dtype)
    return d.ctype if d is not None and d.ctype else "int8_t"


class ModelError(ToolchainError):
    """A file that is not a usable .tflite model."""


@dataclass(frozen=True)
class TensorInfo:
    shape: tuple[int, ...]
    dtype: str               # a DTYPES key, or the TFLite type name when the harness cannot carry it
    scale: float             # 0.0 for a float or unquantized tensor
    zero_point: int

    @property
    def count(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        return self.count * np.dtype(DTYPES[self.dtype].numpy).itemsize

    @property
    def numpy(self) -> np.dtype:
        return np.dtype(DTYPES[self.dtype].numpy)


@dataclass
class ModelSummary:
    ops: list[str]            # builtin op names in first-use order
    input_types: list[str]    # TFLite type names, e.g. ["INT8"]
    float_tensors: int        # constant float32/float16 tensors (float weights or biases)
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]

    @property
    def full_integer(self) -> bool:
        return self.float_tensors == 0


def _file_bytes(path: Path) -> bytes:
    path = Path(path)
    if path.is_dir():
        raise ModelError(f"'{path}' is a directory, not a .tflite file")
    if not path.is_file():
        raise ModelError(f"model file '{path}' not found")
    data = path.read_bytes()
    if not data:
        raise ModelError(f"'{path}' is empty (0 bytes)", "re-export the model")
    return data


def load_tflite(path: Path) -> bytes:
    """The bytes of a model file, validated."""
    data = _file_bytes(path)
    summarize(data, path)
    return data


def read(path: Path) -> ModelSummary:
    """The facts of a model file (validated: the flatbuffer is parsed once)."""
    return summarize(_file_bytes(path), path)


def ops_of(data: bytes, where: Path | str = "model") -> list[str]:
    """Builtin op names used by the model's subgraphs, in first-use order."""
    return summarize(data, where).ops


def check_count(n: int, elem_bytes: int, data: bytes, what: str) -> int:
    """A vector can't hold more entries than the file has bytes: a bigger length is corruption (and the
    flatbuffers runtime would trust it and loop for hours)."""
    if n < 0 or n * elem_bytes > len(data):
        raise ValueError(f"{what} count {n} does not fit in the file")
    return n


def _tensor(model, graph, index: int) -> TensorInfo:
    t = graph.Tensors(index)
    type_name = TYPE_NAMES.get(t.Type(), "?")
    q = t.Quantization()
    scale = float(q.Scale(0)) if q is not None and q.ScaleLength() else 0.0
    zero_point = int(q.ZeroPoint(0)) if q is not None and q.ZeroPointLength() else 0
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    return TensorInfo(shape, _TFLITE_DTYPES.get(type_name, type_name), scale, zero_point)


def summarize(data: bytes, where: Path | str = "model") -> ModelSummary:
    bad = f"'{where}' is not a valid .tflite model"
    if len(data) < 16 or data[4:8] != b"TFL3":
        raise ModelError(f"{bad}: no TFL3 flatbuffer identifier", "pass a .tflite file produced by the TFLite converter")
    if len(data) > MAX_BYTES:
        raise ModelError(f"{bad}: {len(data)} bytes is larger than any deployable model")
    try:
        m = tflite.Model.GetRootAsModel(data, 0)
        check_count(m.OperatorCodesLength(), 4, data, "operator code")
        check_count(m.SubgraphsLength(), 4, data, "subgraph")
        codes = [max(m.OperatorCodes(i).BuiltinCode(), m.OperatorCodes(i).DeprecatedBuiltinCode())
                 for i in range(m.OperatorCodesLength())]
        ops: list[str] = []
        floats = 0
        for s in range(m.SubgraphsLength()):
            g = m.Subgraphs(s)
            check_count(g.TensorsLength(), 4, data, "tensor")
            for i in range(check_count(g.OperatorsLength(), 4, data, "operator")):
                name = OP_NAMES.get(codes[g.Operators(i).OpcodeIndex()], "CUSTOM")
                if name not in ops:
                    ops.append(name)
            # float activations at the edges are fine (QUANTIZE/DEQUANTIZE); float constants mean float math
            floats += sum(TYPE_NAMES.get(g.Tensors(t).Type()) in ("FLOAT32", "FLOAT16")
                          and m.Buffers(g.Tensors(t).Buffer()).DataLength() > 0 for t in range(g.TensorsLength()))
        g0 = m.Subgraphs(0)
        ins = [g0.Inputs(i) for i in range(check_count(g0.InputsLength(), 4, data, "input"))]
        outs = [g0.Outputs(i) for i in range(check_count(g0.OutputsLength(), 4, data, "output"))]
        input_types = [TYPE_NAMES.get(g0.Tensors(i).Type(), "?") for i in ins]
        inputs, outputs = [_tensor(m, g0, i) for i in ins], [_tensor(m, g0, i) for i in outs]
    except Exception:  # noqa: BLE001 - any parse failure of untrusted bytes means a corrupt file
        raise ModelError(f"{bad}: corrupt or truncated flatbuffer (a table points past the end of the file)",
                         "re-export the model; the file may have been cut short") from None
    if not ops:
        raise ModelError(f"{bad}: it contains no operators")
    if not inputs or not outputs:
        raise ModelError(f"{bad}: it has no input or no output tensor")
    return ModelSummary(ops, input_types, floats, inputs, outputs)


def io(path: Path) -> tuple[TensorInfo, TensorInfo]:
    """The first input and first output tensor of a model file."""
    s = read(path)
    return s.inputs[0], s.outputs[0]
