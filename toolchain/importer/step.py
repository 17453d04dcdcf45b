"""The import step: an ONNX file -> float.keras in the device's layout, with ONNX Runtime's outputs
on the same inputs kept for the parity checks of later steps."""

from pathlib import Path

import numpy as np

from toolchain.importer.calibration import to_device_layout
from toolchain.importer.graph import OnnxModel
from toolchain.importer.lower import to_keras
from toolchain.importer.parity import float_parity, onnxruntime_outputs


def user_layout(x_device: np.ndarray, perm: tuple[int, ...]) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(x_device, np.argsort(perm)))


def convert(model: OnnxModel, out: Path, x: np.ndarray, inputs: str) -> tuple[dict, np.ndarray]:
    """Write out/float.keras and out/onnx_outputs.npy (ONNX Runtime on `x`, given in either layout, named `inputs`);
    return (the layout and float parity for the manifest, `x` in the device's layout)."""
    converted = to_keras(model)
    converted.keras_model.save(out / "float.keras")
    x_device = to_device_layout(x, model.input_shape, converted.input_perm)
    reference = onnxruntime_outputs(model, user_layout(x_device, converted.input_perm))
    np.save(out / "onnx_outputs.npy", reference)
    mine = np.asarray(converted.keras_model.predict(x_device, batch_size=64, verbose=0)).reshape(len(x), -1)
    return {"input_layout": {"user_shape": list(model.input_shape), "device_shape": list(converted.device_input_shape),
                             "perm": list(converted.input_perm)},
            "onnx": {"file": str(model.path.resolve()), "opset": model.opset, "folded_nodes": len(converted.folded)},
            "parity": float_parity(reference, mine, inputs)}, x_device
