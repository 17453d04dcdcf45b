"""The plain graph the AOT compiler works on: tensors and ops, no flatbuffers."""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str                      # numpy dtype name: "int8", "int32", "float32", ...
    scale: np.ndarray | None = None       # float32 per-tensor (len 1) or per-channel
    zero_point: np.ndarray | None = None  # int64, same length as scale
    quant_axis: int = 0
    data: np.ndarray | None = None  # constant contents, shaped; None for activations

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        return self.size * np.dtype(self.dtype).itemsize

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def zp(self) -> int:
        """The per-tensor zero point (0 when unquantized)."""
        return int(self.zero_point[0]) if self.zero_point is not None and len(self.zero_point) else 0

    @property
    def sc(self) -> float:
        """The per-tensor scale as float32 (0 when unquantized)."""
        return float(self.scale[0]) if self.scale is not None and len(self.scale) else 0.0


@dataclass
class Op:
    index: int
    name: str                 # builtin operator name, e.g. "CONV_2D"
    inputs: list[int]         # tensor indices; -1 for an omitted optional input
    outputs: list[int]
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]
    description: str = ""
