"""The factory head of a deployed int8 model: its last FULLY_CONNECTED layer
dequantized (the personalization contract: W[c] = w_q[c] * weight_scale[c],
b[c] = bias_q[c] * input_scale * weight_scale[c], in float32), and the
embedding that layer reads (its int8 input tensor)."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolchain import aot
from toolchain.personalize.errors import PersonalizeError


@dataclass(frozen=True)
class FactoryHead:
    w: np.ndarray            # float32 (classes, dim)
    b: np.ndarray            # float32 (classes,)
    embed_tensor: int        # the .tflite tensor index of the embedding (the FC's input)
    embed_scale: float       # its quantization
    embed_zero_point: int
    fc_index: int            # the .tflite operator index of the FC

    @property
    def classes(self) -> int:
        return int(self.w.shape[0])

    @property
    def dim(self) -> int:
        return int(self.w.shape[1])


@dataclass(frozen=True)
class Anchors:
    """Factory embeddings and statistics the firmware keeps in flash (toolchain/personalize/anchors.py
    makes them): the SGD's anchors, and what imprinting needs (the training pool's class means and the
    inverse of its within-class covariance, and random training embeddings that set a new row's bias)."""
    q: np.ndarray          # int8 (n, dim), round-robin by class: the SGD's anchors
    labels: np.ndarray     # uint8 (n,)
    imprint_q: np.ndarray  # int8 (m, dim): random training embeddings, class-balanced as the recipe
    means: np.ndarray      # float64 (classes, dim): the pool's class means (float embeddings); (0, dim): none
    precision: np.ndarray  # float64 (dim, dim): the pool's ridged within-class covariance, inverted

    @classmethod
    def none(cls, dim: int) -> "Anchors":
        return cls(np.zeros((0, dim), np.int8), np.zeros(0, np.uint8), np.zeros((0, dim), np.int8),
                   np.zeros((0, dim)), np.eye(dim))

    def __len__(self) -> int:
        return len(self.labels)


def factory_head(tflite: Path) -> FactoryHead:
    """The head of `tflite`; PersonalizeError when the model has no int8 FULLY_CONNECTED layer to personalise."""
    graph = aot.read_tflite(tflite)
    fcs = [op for op in graph.ops if op.name == "FULLY_CONNECTED"]
    if not fcs:
        raise PersonalizeError(f"{Path(tflite).name} has no FULLY_CONNECTED layer: there is no head to personalise",
                               "personalise a classifier whose last layer is fully connected")
    fc = fcs[-1]
    x, wt = graph.tensors[fc.inputs[0]], graph.tensors[fc.inputs[1]]
    bias = graph.tensors[fc.inputs[2]] if len(fc.inputs) > 2 and fc.inputs[2] >= 0 else None
    if x.dtype != "int8" or wt.dtype != "int8" or wt.data is None:
        raise PersonalizeError(f"the last FULLY_CONNECTED of {Path(tflite).name} is not int8 with constant weights "
                               f"(input {x.dtype}, weights {wt.dtype})", "personalise the int8 model (--variant int8)")
    if fc.options.get("fused_activation_function", 0) not in (0, "NONE"):
        raise PersonalizeError(f"the last FULLY_CONNECTED of {Path(tflite).name} has a fused activation: its "
                               "logits are not linear in the weights", "personalise a model whose classifier has none")
    w_q = wt.data.reshape(wt.shape[0], -1).astype(np.float32)
    w_scale = np.broadcast_to(np.asarray(wt.scale, np.float32), (w_q.shape[0],)).astype(np.float32)
    in_scale = np.float32(x.sc)
    w = (w_q * w_scale[:, None]).astype(np.float32)
    b_q = bias.data.astype(np.float32) if bias is not None and bias.data is not None else np.zeros(w.shape[0], np.float32)
    b = (b_q * in_scale * w_scale).astype(np.float32)
    return FactoryHead(w, b, x.index, float(in_scale), x.zp, fc.index)
