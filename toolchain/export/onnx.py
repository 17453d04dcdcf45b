"""ONNX export of the float Keras model (tf2onnx), checked in ONNX Runtime."""

from pathlib import Path

from toolchain.console import quiet_stderr
from toolchain.export.errors import ExportError

OPSET = 17


def to_onnx(model, path: Path) -> Path:
    import tf2onnx

    from toolchain.train.tf import tf

    spec = (tf.TensorSpec((None, *model.input_shape[1:]), tf.float32, name="input"),)
    try:
        with quiet_stderr():
            tf2onnx.convert.from_keras(model, input_signature=spec, opset=OPSET, output_path=str(path))
    except Exception as e:  # noqa: BLE001 - converter internals vary; report one line
        raise ExportError(f"ONNX conversion failed: {type(e).__name__}: {e}", "export without onnx") from None
    return Path(path)
