"""The model's layers as validate sees them: one per .tflite operator, with
its (first) output tensor's name, shape and quantization."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolchain.aot.reader import read_tflite


@dataclass
class LayerInfo:
    index: int        # operator index in the .tflite (the device reports the same)
    op: str           # builtin op name
    tensor: int       # output tensor index
    name: str         # output tensor name from the .tflite
    shape: tuple[int, ...]
    dtype: str        # numpy dtype name
    scale: float      # per-tensor output scale (0 when not quantized)
    zero_point: int

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize

    def array(self, data: bytes) -> np.ndarray:
        return np.frombuffer(data, dtype=self.dtype).reshape(self.shape)

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        if not self.scale:
            return q.astype(np.float64)
        return (q.astype(np.float64) - self.zero_point) * self.scale


def model_layers(tflite: Path) -> list[LayerInfo]:
    graph = read_tflite(tflite)
    out = []
    for op in graph.ops:
        t = graph.tensors[op.outputs[0]]
        scale = float(t.scale[0]) if t.scale is not None and len(t.scale) else 0.0
        zp = int(t.zero_point[0]) if t.zero_point is not None and len(t.zero_point) else 0
        out.append(LayerInfo(op.index, op.name, t.index, t.name, tuple(int(d) for d in t.shape), t.dtype, scale, zp))
    return out
