"""An ONNX file read and checked before any lowering: a model at all, an opset we lower, one input
and one output, static shapes; whether it is already quantized (QDQ, lowered by qdq.py) is recorded."""

from dataclasses import dataclass
from pathlib import Path

from toolchain.importer.errors import OnnxError

# Default-domain opsets whose operator semantics lower.py follows (Clip's bounds as inputs from 11,
# Squeeze/Unsqueeze axes as inputs from 13); torch.onnx.export writes 17 or 18 by default.
OPSETS = (11, 21)

# QOperator format and dynamic quantization: integer ops whose arithmetic we would have to reproduce op by op
QOPERATOR = ("QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear", "QLinearAdd",
             "QLinearMul", "QLinearGlobalAveragePool", "QLinearAveragePool", "QLinearSoftmax", "QLinearConcat",
             "QLinearLeakyRelu", "QLinearSigmoid", "QGemm", "QAttention", "MatMulIntegerToFloat")


def is_qdq(proto) -> bool:
    return any(n.op_type in ("QuantizeLinear", "DequantizeLinear") or n.op_type in QOPERATOR for n in proto.graph.node)


@dataclass
class OnnxModel:
    proto: object  # onnx.ModelProto with static shapes
    path: Path
    input_name: str
    input_shape: tuple[int, ...]  # the user's layout, batch first (fixed to 1)
    output_name: str
    opset: int
    quantized: bool = False  # QDQ (or QOperator) nodes: imported with its own quantization (qdq.py)


def is_onnx_ref(ref: str) -> bool:
    return str(ref).endswith(".onnx")


def _load(path: Path):
    import onnx
    from google.protobuf.message import DecodeError

    if not path.is_file():
        raise OnnxError(f"'{path}' does not exist", "pass the path of an .onnx file")
    try:
        proto = onnx.load(str(path))
    except (DecodeError, ValueError, RuntimeError, UnicodeDecodeError) as e:
        raise OnnxError(f"'{path}' is not an ONNX model ({type(e).__name__})",
                        "export it with torch.onnx.export or another ONNX exporter") from None
    if not proto.graph.node or not proto.graph.input or not proto.graph.output:
        raise OnnxError(f"'{path}' is not an ONNX model (no graph nodes, inputs or outputs)",
                        "export it with torch.onnx.export or another ONNX exporter")
    return proto


def _opset(proto, path: Path) -> int:
    opset = next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), None)
    if opset is None or not OPSETS[0] <= opset <= OPSETS[1]:
        raise OnnxError(f"'{path}' uses ONNX opset {opset}; the importer lowers opsets {OPSETS[0]} to {OPSETS[1]}",
                        f"re-export with opset_version={OPSETS[1]} or lower (onnx.version_converter can convert it)")
    return opset


def _static_shape(value, path: Path, given: tuple[int, ...] | None) -> tuple[int, ...]:
    """The input's shape with its batch fixed to 1; other dynamic dims need `given` (--input-shape)."""
    dims = value.type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in dims]
    if given is not None:
        if len(given) != len(shape) or any(s is not None and s != g for s, g in zip(shape[1:], given[1:])):
            raise OnnxError(f"--input-shape {','.join(map(str, given))} does not fit input '{value.name}' of "
                            f"'{path}' ({_show(dims)})", "give one size per dimension, batch first")
        return (1, *given[1:])
    if any(s is None for s in shape[1:]):
        raise OnnxError(f"input '{value.name}' of '{path}' has dynamic dimensions ({_show(dims)})",
                        "pass --input-shape with one size per dimension, batch first, e.g. --input-shape 1,3,32,32")
    return (1, *shape[1:])


def _show(dims) -> str:
    return "x".join(d.dim_param or str(d.dim_value) if (d.dim_param or d.dim_value) else "?" for d in dims)


def read(path: Path, input_shape: tuple[int, ...] | None = None) -> OnnxModel:
    """The checked model, its input fixed to batch 1 (and to `input_shape` where given)."""
    import onnx

    path = Path(path)
    proto = _load(path)
    opset = _opset(proto, path)
    weights = {i.name for i in proto.graph.initializer}
    inputs = [i for i in proto.graph.input if i.name not in weights]
    if len(inputs) != 1 or len(proto.graph.output) != 1:
        raise OnnxError(f"'{path}' has {len(inputs)} inputs and {len(proto.graph.output)} outputs; the importer, "
                        "the AOT runtime and the harness take one input and one output",
                        "export a model with one input and one output (several are for TFLM only, from a .tflite)")
    shape = _static_shape(inputs[0], path, input_shape)
    for d, size in zip(inputs[0].type.tensor_type.shape.dim, shape):
        d.Clear()
        d.dim_value = size
    try:
        proto = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    except Exception as e:  # noqa: BLE001 - onnx raises several kinds for a broken graph
        raise OnnxError(f"'{path}': ONNX shape inference failed: {str(e).splitlines()[0][:200]}",
                        "check the model with onnx.checker.check_model") from None
    return OnnxModel(proto, path, inputs[0].name, shape, proto.graph.output[0].name, opset, is_qdq(proto))
