"""Parity the import owes, measured on the same inputs: ONNX Runtime vs the converted float model
(max |diff|), the int8 model vs the float one (top-1 agreement against a threshold), and the SQNR of
every int8 layer against the same layer of the float model, so a collapsing layer is named."""

import numpy as np

from toolchain.console import console
from toolchain.importer import qdq_check

DEFAULT_AGREEMENT = 0.99  # int8 vs float top-1 agreement below this is reported loudly
LOW_SQNR_DB = 10.0  # a layer whose int8 output is below this against float is named as collapsing
SQNR_SAMPLES = 50  # inputs the per-layer comparison runs (two interpreters, every tensor kept)


def onnxruntime_outputs(model, x_user: np.ndarray) -> np.ndarray:
    """ONNX Runtime's float outputs of the checked model (batch fixed to 1), one sample at a time."""
    import onnxruntime as ort

    sess = ort.InferenceSession(model.proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return np.stack([np.asarray(sess.run(None, {model.input_name: s[np.newaxis]})[0]).reshape(-1)
                     for s in x_user.astype(np.float32)])


def float_parity(reference: np.ndarray, converted: np.ndarray, inputs: str) -> dict:
    """`inputs`: which inputs they are (held-out, calibration), for the printed line."""
    diff = np.abs(reference - converted)
    return {"onnx_vs_converted_max_abs_diff": float(diff.max()),
            "onnx_output_range": float(np.abs(reference).max()),
            "samples": int(len(reference)), "inputs": inputs}


def int8_agreement(float_out: np.ndarray, int8_out: np.ndarray, threshold: float) -> dict:
    """`int8_out` dequantized. Several outputs: top-1 agreement. One output: its max |diff|, and where the float
    outputs are all probabilities (a sigmoid head), the agreement of the decisions at 0.5 against the threshold."""
    if float_out.shape[1] > 1:
        agree = float(np.mean(float_out.argmax(1) == int8_out.argmax(1)))
        return {"int8_vs_float_top1_agreement": agree, "threshold": threshold, "passed": agree >= threshold}
    decisions = None
    if float_out.min() >= 0 and float_out.max() <= 1:
        decisions = float(np.mean((float_out[:, 0] > 0.5) == (int8_out[:, 0] > 0.5)))
    return {"int8_vs_float_top1_agreement": None,
            "int8_vs_float_max_abs_diff": float(np.abs(float_out - int8_out).max()),
            "int8_vs_float_decision_agreement": decisions, "threshold": threshold,
            "passed": decisions is None or decisions >= threshold}


def _interpreter(tflite: bytes):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=tflite, experimental_preserve_all_tensors=True,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    ops = [o for o in it._get_ops_details() if o["op_name"] not in ("QUANTIZE", "DEQUANTIZE")]
    return it, ops


def layer_sqnr(float_tflite: bytes, int8_tflite: bytes, x_device: np.ndarray) -> list[dict] | None:
    """SQNR in dB of each op's int8 output against the float model's (same converter, so the same ops in the
    same order); None when the two graphs do not line up op for op."""
    f_it, f_ops = _interpreter(float_tflite)
    q_it, q_ops = _interpreter(int8_tflite)
    if [o["op_name"] for o in f_ops] != [o["op_name"] for o in q_ops]:
        return None
    f_in, q_in = f_it.get_input_details()[0], q_it.get_input_details()[0]
    scale, zp = q_in["quantization"]
    signal, noise = np.zeros(len(f_ops)), np.zeros(len(f_ops))
    for sample in x_device[:SQNR_SAMPLES].astype(np.float32):
        f_it.set_tensor(f_in["index"], sample[np.newaxis])
        q_it.set_tensor(q_in["index"], np.clip(np.round(sample / scale) + zp, -128, 127).astype(np.int8)[np.newaxis])
        f_it.invoke()
        q_it.invoke()
        for i, (fo, qo) in enumerate(zip(f_ops, q_ops)):
            ref = f_it.get_tensor(fo["outputs"][0]).astype(np.float64)
            detail = q_it._get_tensor_details(qo["outputs"][0], 0)
            s, z = detail["quantization"]
            got = (q_it.get_tensor(qo["outputs"][0]).astype(np.float64) - z) * s if s else q_it.get_tensor(
                qo["outputs"][0]).astype(np.float64)
            signal[i] += np.sum(ref ** 2)
            noise[i] += np.sum((ref - got) ** 2)
    return [{"index": i, "op": o["op_name"], "sqnr_db": round(float(10 * np.log10(sig / max(nse, 1e-30))), 2)}
            for i, (o, sig, nse) in enumerate(zip(f_ops, signal, noise))]


def weakest(layers: list[dict] | None) -> dict | None:
    return min(layers, key=lambda layer: layer["sqnr_db"]) if layers else None


def report(parity: dict) -> None:
    """Print the parity; a failed threshold is a loud warning, not a quiet number."""
    if parity.get("kind") == "qdq":
        return qdq_check.report(parity)
    console.info(f"parity on {parity['samples']} {parity.get('inputs', '')} inputs: ONNX Runtime vs converted float, max |diff| "
                 f"{parity['onnx_vs_converted_max_abs_diff']:.2e} (outputs up to {parity['onnx_output_range']:.3g})")
    agree, decisions = parity.get("int8_vs_float_top1_agreement"), parity.get("int8_vs_float_decision_agreement")
    if agree is not None:
        line = f"int8 vs float top-1 agreement {agree:.2%} (threshold {parity['threshold']:.2%})"
    elif "int8_vs_float_max_abs_diff" in parity:
        line = f"one output: int8 vs float max |diff| {parity['int8_vs_float_max_abs_diff']:.3g}"
        if decisions is not None:
            line += f", decisions at 0.5 agree {decisions:.2%} (threshold {parity['threshold']:.2%})"
    else:
        return
    low = weakest(parity.get("layers"))
    if low:
        line += f"; weakest layer #{low['index']} {low['op']} at {low['sqnr_db']:.1f} dB SQNR"
        if low["sqnr_db"] < LOW_SQNR_DB:
            console.warning(f"layer #{low['index']} ({low['op']}) collapses in int8: {low['sqnr_db']:.1f} dB SQNR "
                            f"against float (below {LOW_SQNR_DB:g} dB)")
    if parity["passed"]:
        console.info(line)
    else:
        console.warning(f"PARITY FAILED: {line}: the int8 model decides differently from the float one; "
                        "calibrate on more representative data, or deploy with care")
