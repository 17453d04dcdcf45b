"""Read a .tflite flatbuffer into the plain `Graph` (graph.py).

Every failure, whatever the bytes, ends as one `AotError` line: the flatbuffers
runtime trusts offsets and lengths, so lengths are checked against the file
size before anything is iterated (a mutated file must not loop for hours).
"""

from pathlib import Path

import numpy as np
import tflite

from toolchain import modelinfo
from toolchain.aot.errors import AotError
from toolchain.aot.graph import Graph, Op, Tensor

_OP_NAMES = modelinfo.OP_NAMES
_OPTION_NAMES = {v: k for k, v in vars(tflite.BuiltinOptions).items() if not k.startswith("_")}
_DTYPES = {getattr(tflite.TensorType, d.tflite): d.name for d in modelinfo.TENSOR_TYPES.values()}
MAX_ELEMENTS = 1 << 26
_TYPE_NAMES = modelinfo.TYPE_NAMES


def read_tflite(path: str | Path) -> Graph:
    """Parse subgraph 0 of a .tflite file; AotError if it is not a usable model."""
    path = Path(path)
    try:
        buf = path.read_bytes()
    except OSError as e:
        raise AotError(f"cannot read {path}: {e.strerror}", "check the path") from None
    return read_tflite_bytes(buf, str(path))


def read_tflite_bytes(buf: bytes, origin: str = "<bytes>") -> Graph:
    """Parse .tflite bytes; `origin` names the file in error messages."""
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise AotError(f"{origin} is not a .tflite model (no TFL3 identifier)",
                       "pass a file written by the TFLite converter")
    try:
        return _parse(buf)
    except AotError as e:
        raise AotError(f"{origin}: {e.message}", e.hint or "re-export the model") from None
    except (Exception, RecursionError) as e:  # any flatbuffer decoding failure
        raise AotError(f"{origin} is corrupt or truncated ({type(e).__name__})",
                       "re-export the model with the TFLite converter") from None


def _check_len(n: int, elem_bytes: int, buf: bytes, what: str) -> int:
    try:
        return modelinfo.check_count(n, elem_bytes, buf, what)
    except ValueError as e:
        raise AotError(str(e)) from None


def _parse(buf: bytes) -> Graph:
    model = tflite.Model.GetRootAs(buf, 0)
    if _check_len(model.SubgraphsLength(), 4, buf, "subgraph") < 1:
        raise AotError("model has no subgraph")
    sub = model.Subgraphs(0)
    codes = [_opcode_name(model.OperatorCodes(i))
             for i in range(_check_len(model.OperatorCodesLength(), 4, buf, "operator code"))]
    nbuf = _check_len(model.BuffersLength(), 4, buf, "buffer")
    tensors = [_tensor(sub.Tensors(i), i, model, nbuf, buf)
               for i in range(_check_len(sub.TensorsLength(), 4, buf, "tensor"))]
    ops = [_op(sub.Operators(i), i, codes, len(tensors), buf)
           for i in range(_check_len(sub.OperatorsLength(), 4, buf, "operator"))]
    inputs = _indices(sub.InputsAsNumpy(), sub.InputsLength(), len(tensors), buf, "graph input")
    outputs = _indices(sub.OutputsAsNumpy(), sub.OutputsLength(), len(tensors), buf, "graph output")
    if not inputs or not outputs:
        raise AotError("model has no graph input or output")
    desc = model.Description()
    return Graph(tensors, ops, inputs, outputs, desc.decode("utf-8", "replace") if desc else "")


def _opcode_name(code) -> str:
    value = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
    if value == tflite.BuiltinOperator.CUSTOM:
        custom = code.CustomCode()
        return f"CUSTOM:{custom.decode('utf-8', 'replace') if custom else '?'}"
    return _OP_NAMES.get(value, f"UNKNOWN_{value}")


def _indices(arr, n: int, limit: int, buf: bytes, what: str) -> list[int]:
    _check_len(n, 4, buf, what)
    out = [int(x) for x in (arr if n else [])]
    for t in out:
        if t < -1 or t >= limit:
            raise AotError(f"{what} refers to tensor {t} of {limit}")
    return out


def _tensor(t, index: int, model, nbuf: int, buf: bytes) -> Tensor:
    shape = tuple(int(d) for d in (t.ShapeAsNumpy() if _check_len(t.ShapeLength(), 4, buf, "dim") else []))
    if any(d < 0 for d in shape):
        raise AotError(f"tensor {index} has a dynamic shape {shape}", "export with a fixed batch size of 1")
    if np.prod(shape, dtype=np.float64) > MAX_ELEMENTS:
        raise AotError(f"tensor {index} has shape {list(shape)}, over {MAX_ELEMENTS} elements",
                       "this is not a microcontroller-sized model")
    ttype = t.Type()
    dtype = _DTYPES.get(ttype, _TYPE_NAMES.get(ttype, f"type{ttype}").lower())
    name = t.Name()
    tensor = Tensor(index, name.decode("utf-8", "replace") if name else f"t{index}", shape, dtype)
    q = t.Quantization()
    if q is not None and not q.ScaleIsNone() and q.ScaleLength():
        _check_len(q.ScaleLength(), 4, buf, "scale")
        _check_len(q.ZeroPointLength(), 8, buf, "zero point")
        tensor.scale = np.asarray(q.ScaleAsNumpy(), np.float32).copy()
        zp = q.ZeroPointAsNumpy() if q.ZeroPointLength() else np.zeros(len(tensor.scale))
        tensor.zero_point = np.asarray(zp, np.int64).copy()
        tensor.quant_axis = q.QuantizedDimension()
    b = t.Buffer()
    if b < 0 or b >= max(nbuf, 1):
        raise AotError(f"tensor {index} refers to buffer {b} of {nbuf}")
    if nbuf and b > 0:
        tensor.data = _buffer_data(model.Buffers(b), tensor, buf)
    return tensor


def _buffer_data(b, tensor: Tensor, buf: bytes) -> np.ndarray | None:
    if b.Offset() > 1:  # large models keep buffers after the flatbuffer
        start, size = b.Offset(), b.Size()
        if start + size > len(buf):
            raise AotError(f"tensor {tensor.index} data lies outside the file")
        raw = buf[start:start + size]
    elif b.DataLength():
        _check_len(b.DataLength(), 1, buf, "data byte")
        raw = b.DataAsNumpy().tobytes()
    else:
        return None
    if tensor.dtype not in _DTYPES.values() or tensor.dtype == "bool":
        return np.frombuffer(raw, np.uint8).copy()
    dt = np.dtype(tensor.dtype)
    if len(raw) != tensor.size * dt.itemsize:
        raise AotError(f"tensor {tensor.index} ({tensor.name}) holds {len(raw)} bytes, "
                       f"shape {list(tensor.shape)} needs {tensor.size * dt.itemsize}")
    return np.frombuffer(raw, dt).reshape(tensor.shape).copy()


def _op(o, index: int, codes: list[str], ntensors: int, buf: bytes) -> Op:
    ci = o.OpcodeIndex()
    if ci >= len(codes):
        raise AotError(f"operator {index} uses opcode {ci} of {len(codes)}")
    ins = _indices(o.InputsAsNumpy(), o.InputsLength(), ntensors, buf, f"operator {index} input")
    outs = _indices(o.OutputsAsNumpy(), o.OutputsLength(), ntensors, buf, f"operator {index} output")
    return Op(index, codes[ci], ins, outs, _options(o))


def _options(o) -> dict:
    """The builtin options as {snake_case_name: scalar}, read by reflection."""
    kind = _OPTION_NAMES.get(o.BuiltinOptionsType())
    table = o.BuiltinOptions()
    if not kind or kind == "NONE" or table is None:
        return {}
    cls = getattr(tflite, kind, None)
    if not isinstance(cls, type):
        return {}
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    out = {}
    for attr in dir(cls):
        if not attr[0].isupper() or attr.startswith(("Init", "GetRoot")) or attr.endswith(
                ("AsNumpy", "Length", "IsNone", "BufferHasIdentifier")):
            continue
        try:
            value = getattr(opts, attr)()
        except TypeError:  # vector accessors take an index
            continue
        if isinstance(value, (int, float)):
            out[_snake(attr)] = value
    return out


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
