"""Every artifact's outputs on the same inputs (Keras, LiteRT, TFLM reference, ONNX) and their scores."""

from dataclasses import dataclass

import numpy as np

from toolchain import modelinfo
from toolchain.console import quiet_stderr


@dataclass
class Quant:
    """Affine quantization of one tensor (scale 0 means a float tensor)."""

    dtype: type
    scale: float
    zero_point: int

    def quantize(self, x: np.ndarray) -> np.ndarray:
        if not self.scale:
            return x.astype(self.dtype)
        info = np.iinfo(self.dtype)
        return np.clip(np.round(x / self.scale) + self.zero_point, info.min, info.max).astype(self.dtype)

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        if not self.scale:
            return q.astype(np.float32)
        return (q.astype(np.float32) - self.zero_point) * self.scale

    def to_dict(self) -> dict:
        return {"dtype": np.dtype(self.dtype).name, "scale": self.scale, "zero_point": self.zero_point}


def _quant(detail: dict) -> Quant:
    scale, zp = detail.get("quantization", (0.0, 0))
    return Quant(detail["dtype"], float(scale), int(zp))


def io_quant(tflite: bytes) -> tuple[Quant, Quant]:
    """Quantization of the model's first input and first output."""
    s = modelinfo.summarize(tflite)
    return tuple(Quant(t.numpy.type, t.scale, t.zero_point) for t in (s.inputs[0], s.outputs[0]))


def _litert(tflite: bytes, xnnpack: bool = True):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    # Without XNNPACK, LiteRT runs its builtin kernels, which round like TFLite's reference int8 math.
    kind = OpResolverType.AUTO if xnnpack else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    with quiet_stderr():
        it = Interpreter(model_content=tflite, experimental_op_resolver_type=kind)
        it.allocate_tensors()
    return it


def litert_outputs(tflite: bytes, x: np.ndarray, xnnpack: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(raw outputs, dequantized float outputs) of LiteRT, one sample at a time."""
    it = _litert(tflite, xnnpack)
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    qin, qout = _quant(inp), _quant(out)
    raw = []
    for sample in x:
        it.set_tensor(inp["index"], qin.quantize(sample[np.newaxis]).reshape(inp["shape"]))
        it.invoke()
        raw.append(it.get_tensor(out["index"]).reshape(-1).copy())
    raw = np.stack(raw)
    return raw, qout.dequantize(raw)


def tflm_outputs(tflite: bytes, x_quantized: np.ndarray, arena_bytes: int) -> np.ndarray:
    """Raw outputs of the TFLM host interpreter for already-quantized inputs."""
    from tflite_micro.python.tflite_micro import runtime

    with quiet_stderr():
        it = runtime.Interpreter.from_bytes(tflite, arena_size=arena_bytes)
    shape = it.get_input_details(0)["shape"]
    outs = []
    for sample in x_quantized:
        it.set_input(sample.reshape(shape), 0)  # every invoke gets a fresh copy: TFLM may reuse the input memory
        it.invoke()
        outs.append(it.get_output(0).reshape(-1).copy())
    return np.stack(outs)


def keras_outputs(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(x, batch_size=256, verbose=0)).reshape(len(x), -1)


def onnx_outputs(path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return np.asarray(sess.run(None, {name: x.astype(np.float32)})[0]).reshape(len(x), -1)


def score(task: str, outputs: np.ndarray, y: np.ndarray) -> dict:
    """accuracy for classification, mean absolute error for regression."""
    if task == "classification":
        return {"accuracy": float(np.mean(outputs.argmax(axis=1) == y))}
    return {"accuracy": None, "mae": float(np.mean(np.abs(outputs[:, 0] - y)))}
