"""The parity a QDQ import owes: ONNX Runtime's execution of the QDQ model against the int8 model written from it
(TFLM's host interpreter, the kernels the device runs), output by output in LSBs of the output's quantization.
More than MAX_LSB apart on any output of any input refuses the import: never silently wrong.

Why not 0: TFLite's int8 kernels requantize with a fixed-point multiplier and round twice (to the multiplier's
precision, then by the shift); ONNX Runtime rounds a float product once, half to even. An accumulator within
about 2^-(shift+1) of a half rounds differently, and a 1-LSB difference in one layer can grow in the next."""

from pathlib import Path

import numpy as np

from toolchain.console import console
from toolchain.importer.errors import OnnxError
from toolchain.importer.graph import OnnxModel
from toolchain.importer.qdq import QGraph

MAX_LSB = 1


def quantize_input(x_device: np.ndarray, g: QGraph) -> np.ndarray:
    """As ONNX Runtime's QuantizeLinear (float32 division, half to even, saturate), then as int8."""
    scale, zp, shift = g.input_quant
    lo, hi = (0, 255) if shift else (-128, 127)
    q = np.clip(np.rint(x_device.astype(np.float32) / np.float32(scale)) + zp, lo, hi) + shift
    return q.astype(np.int8)


def onnxruntime_int8(model: OnnxModel, g: QGraph, x_user: np.ndarray) -> np.ndarray:
    """ONNX Runtime's outputs (default session: its own QDQ fusions) as the int8 values before the last
    DequantizeLinear."""
    import onnxruntime as ort

    sess = ort.InferenceSession(model.proto.SerializeToString(), providers=["CPUExecutionProvider"])
    scale, zp, shift = g.output_quant
    out = np.stack([np.asarray(sess.run(None, {model.input_name: s[np.newaxis]})[0]).reshape(-1)
                    for s in x_user.astype(np.float32)])
    return (np.rint(out / np.float32(scale)) + zp + shift).astype(np.int64)


def compare(reference: np.ndarray, ours: np.ndarray, inputs: str) -> dict:
    diff = np.abs(reference.astype(np.int64) - ours.astype(np.int64))
    counts = np.bincount(diff.reshape(-1), minlength=2)
    return {"kind": "qdq", "samples": int(len(reference)), "inputs": inputs,
            "qdq_max_lsb": int(diff.max()), "qdq_outputs": int(diff.size),
            "qdq_lsb_counts": {str(k): int(v) for k, v in enumerate(counts) if v},
            "qdq_top1_agreement": float(np.mean(reference.argmax(1) == ours.argmax(1)))
            if reference.shape[1] > 1 else None}


def check(model: OnnxModel, g: QGraph, tflite: Path, x_user: np.ndarray, x_device: np.ndarray, inputs: str) -> dict:
    """The parity fields, or OnnxError when any output is more than MAX_LSB from ONNX Runtime's."""
    from toolchain.evaluate.reference import tflm_outputs

    reference = onnxruntime_int8(model, g, x_user)
    ours = tflm_outputs(tflite, quantize_input(x_device, g)).astype(np.int64)
    parity = compare(reference, ours, inputs)
    if parity["qdq_max_lsb"] > MAX_LSB:
        sample, out = np.unravel_index(np.argmax(np.abs(reference - ours)), reference.shape)
        node, lsb = first_beyond(model, g, Path(tflite).read_bytes(), x_user[sample:sample + 1],
                                 x_device[sample:sample + 1])
        where = f"; first beyond {MAX_LSB} LSB after node '{node}' ({lsb} LSB)" if node else ""
        raise OnnxError(f"'{model.path}' (quantized): the int8 model differs from ONNX Runtime's execution of the QDQ "
                        f"model by {parity['qdq_max_lsb']} LSB (output {out} of {inputs} input {sample}; "
                        f"{_counts(parity)}{where}); not imported, as it would not be exact",
                        "import the float ONNX model and let `toolchain optimize` quantize it with these calibration "
                        "inputs")
    return parity


def first_beyond(model: OnnxModel, g: QGraph, tflite: bytes, x_user: np.ndarray,
                 x_device: np.ndarray) -> tuple[str | None, int]:
    """The ONNX node after which an intermediate integer tensor first differs by more than MAX_LSB (ONNX Runtime
    with every QuantizeLinear output kept, against LiteRT's reference kernels with every tensor kept), and by how
    much; (None, 0) when none does."""
    import onnx
    import onnxruntime as ort
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=tflite, experimental_preserve_all_tensors=True,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    index = {t["name"]: t["index"] for t in it.get_tensor_details()}
    types = _quantize_outputs(model)
    # a RESHAPE only moves bytes (and a flattened channels-first tensor is in another order on each side)
    kept = [op for op in g.ops if op.output in index and op.output in types and op.op != "RESHAPE"]
    proto = onnx.ModelProto()
    proto.CopyFrom(model.proto)
    for op in kept:
        proto.graph.output.append(onnx.helper.make_tensor_value_info(op.output, types[op.output], None))
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    worst: dict[str, int] = {}
    for xu, xd in zip(x_user, x_device):
        theirs = sess.run([op.output for op in kept], {model.input_name: xu[np.newaxis].astype(np.float32)})
        it.set_tensor(it.get_input_details()[0]["index"], quantize_input(xd[np.newaxis], g))
        it.invoke()
        for op, t in zip(kept, theirs):
            t = np.asarray(t).astype(np.int64) - (128 if np.asarray(t).dtype == np.uint8 else 0)
            ours = it.get_tensor(index[op.output]).astype(np.int64)
            if t.ndim == 4:  # channels first in ONNX
                t = np.transpose(t, (0, 2, 3, 1))
            elif t.ndim == 3:
                t = np.transpose(t, (0, 2, 1))
            worst[op.node] = max(worst.get(op.node, 0), int(np.abs(t.reshape(-1) - ours.reshape(-1)).max()))
    return next(((n, lsb) for n, lsb in worst.items() if lsb > MAX_LSB), (None, 0))


def _quantize_outputs(model: OnnxModel) -> dict[str, int]:
    """QuantizeLinear output -> its element type (its zero point's)."""
    from onnx import TensorProto

    zps = {i.name: i.data_type for i in model.proto.graph.initializer}
    return {n.output[0]: zps.get(n.input[2], TensorProto.UINT8) if len(n.input) > 2 else TensorProto.UINT8
            for n in model.proto.graph.node if n.op_type == "QuantizeLinear"}


def _counts(parity: dict) -> str:
    return ", ".join(f"{v} of {parity['qdq_outputs']} outputs off by {k} LSB"
                     for k, v in parity["qdq_lsb_counts"].items() if k != "0") or "all outputs identical"


def lines(parity: dict) -> list[tuple[str, str]]:
    """(what, value) rows of a QDQ import's parity, for the printout and report.html."""
    rows = [("inputs", f"{parity['samples']} {parity['inputs']}"),
            ("ONNX QDQ (ONNX Runtime) vs our int8, max difference",
             f"{parity['qdq_max_lsb']} LSB ({_counts(parity)}; limit {MAX_LSB})")]
    if parity.get("qdq_top1_agreement") is not None:
        rows.append(("ONNX QDQ vs our int8, top-1 agreement", f"{parity['qdq_top1_agreement']:.2%}"))
    return rows


def report(parity: dict) -> None:
    console.info(f"parity on {parity['samples']} {parity['inputs']} inputs: ONNX QDQ (ONNX Runtime) vs our int8: max "
                 f"{parity['qdq_max_lsb']} LSB ({_counts(parity)})" +
                 (f", top-1 agreement {parity['qdq_top1_agreement']:.2%}"
                  if parity.get("qdq_top1_agreement") is not None else ""))
