"""Parity the import owes, measured on the same inputs: ONNX Runtime vs the converted float model
(max |diff|), and the int8 model vs the float one (top-1 agreement against a threshold)."""

import numpy as np

from toolchain.console import console

DEFAULT_AGREEMENT = 0.99  # int8 vs float top-1 agreement below this is reported loudly


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
    agree = float(np.mean(float_out.argmax(1) == int8_out.argmax(1))) if float_out.shape[1] > 1 else None
    return {"int8_vs_float_top1_agreement": agree, "threshold": threshold,
            "passed": agree is None or agree >= threshold}


def report(parity: dict) -> None:
    """Print the parity; a failed threshold is a loud warning, not a quiet number."""
    console.info(f"parity on {parity['samples']} {parity.get('inputs', '')} inputs: ONNX Runtime vs converted float, max |diff| "
                 f"{parity['onnx_vs_converted_max_abs_diff']:.2e} (outputs up to {parity['onnx_output_range']:.3g})")
    agree = parity.get("int8_vs_float_top1_agreement")
    if agree is None:
        return
    line = f"int8 vs float top-1 agreement {agree:.2%} (threshold {parity['threshold']:.2%})"
    if parity["passed"]:
        console.info(line)
    else:
        console.warning(f"PARITY FAILED: {line}: the int8 model decides differently from the float one; "
                        "calibrate on more representative data, or deploy with care")
