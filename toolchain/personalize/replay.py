"""The host replay of the device's head: firmware/personalize/'s own C (the
same twin the board links, the same generated header, -ffp-contract=off)
compiled for the host (toolchain.host_library) and driven through ctypes, so
an update replayed here gives the device's bytes."""

import ctypes
import functools
from pathlib import Path

import numpy as np

from toolchain import host_library, paths
from toolchain.personalize.config import DEFAULTS, HEADER, header
from toolchain.personalize.errors import PersonalizeError
from toolchain.personalize.head import Anchors, FactoryHead

SOURCE_DIR = paths.FIRMWARE / "personalize"
FLAGS = ("-ffp-contract=off",)
# the factory reset, the SGD schedule and the int8 output, over either twin, as the device build compiles them
# (toolchain/build/personalize_sources.py)
SHARED_FILES = ("tm_head_factory.c", "tm_head_train.c", "tm_head_output.c")


def head_bytes(head: FactoryHead) -> int:
    """sizeof(tm_head_t): the 32-bit words of W and b for every row, and the class count."""
    rows = head.classes + DEFAULTS.extra_classes
    return 4 * (rows * head.dim + rows + 1)


def library_path(head: FactoryHead, anchors: Anchors, fixed_point: bool) -> Path:
    twin = SOURCE_DIR / ("tm_head_fixed.c" if fixed_point else "tm_head_float.c")
    return host_library.build("personalize", [twin, *(SOURCE_DIR / f for f in SHARED_FILES)], paths.build_root() / "cache", headers=[SOURCE_DIR / "tm_head.h"],
                              generated={HEADER: header(head, anchors, fixed_point=fixed_point)}, include_dirs=[SOURCE_DIR],
                              what="the personalization head", error=PersonalizeError, cflags=FLAGS)


@functools.cache
def _load(lib: Path):
    so = ctypes.CDLL(str(lib))
    so.tm_head_classify.restype = ctypes.c_int
    so.tm_head_classify.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    so.tm_head_step.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_float]
    so.tm_head_imprint.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    so.tm_head_train.restype = ctypes.c_uint32
    so.tm_head_train.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32,
                                 ctypes.c_float]
    so.tm_head_reset.argtypes = [ctypes.c_void_p]
    so.tm_head_output.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_float,
                                  ctypes.c_int32]
    return so


def lr_of(millionths: int) -> np.float32:
    """The learning rate the device computes from `train N LR%` ((float)LR / 1000000.0f)."""
    return np.float32(millionths) / np.float32(1_000_000)


class HostHead:
    """One head (tm_head_t) in host memory, updated by the device's C."""

    def __init__(self, head: FactoryHead, fixed_point: bool, anchors: Anchors | None = None):
        self.factory, self.fixed_point = head, fixed_point
        self.anchors = anchors if anchors is not None else Anchors.none(head.dim)
        self._so = _load(library_path(head, self.anchors, fixed_point))
        self._state = ctypes.create_string_buffer(head_bytes(head))
        self.reset()

    def reset(self) -> None:
        self._so.tm_head_reset(self._state)

    @property
    def data(self) -> bytes:
        """The head's bytes, as `head read%` sends them."""
        return self._state.raw

    def load(self, data: bytes) -> None:
        if len(data) != len(self._state):
            raise PersonalizeError(f"a head of {len(data)} bytes is not this model's ({len(self._state)} bytes)",
                                   "load a head read from a personalization build of the same model and board")
        ctypes.memmove(self._state, data, len(data))

    @property
    def classes(self) -> int:
        return int(np.frombuffer(self.data[-4:], np.uint32)[0])

    def step(self, embedding: bytes, label: int, lr: float) -> None:
        self._so.tm_head_step(self._state, _int8(embedding, self.factory.dim), label, float(np.float32(lr)))

    def train(self, examples: list[tuple[bytes, int]], epochs: int, lr_millionths: int) -> int:
        """What `train N LR%` does on the device (tm_head_train: the schedule of tm_head.h, with this head's
        anchors); the steps taken."""
        q = np.ascontiguousarray(np.concatenate([_as_int8(e, self.factory.dim) for e, _ in examples]))
        labels = np.array([label for _, label in examples], np.uint8)
        return int(self._so.tm_head_train(self._state, q.ctypes.data, labels.ctypes.data, len(examples), epochs,
                                          float(lr_of(lr_millionths))))

    def imprint(self, label: int, embeddings: list[bytes]) -> None:
        """A new row from `embeddings` (all of class `label`)."""
        q = np.ascontiguousarray(np.concatenate([_as_int8(e, self.factory.dim) for e in embeddings]))
        labels = np.full(len(embeddings), label, np.uint8)
        self._so.tm_head_imprint(self._state, label, q.ctypes.data, labels.ctypes.data, len(embeddings))

    def output(self, embedding: bytes, count: int, scale: float, zero_point: int) -> bytes:
        """The int8 output a device with this head gives for `embedding` (tm_head_output): `count` bytes,
        quantized by the model's output `scale` and `zero_point`."""
        out = ctypes.create_string_buffer(count)
        self._so.tm_head_output(self._state, _int8(embedding, self.factory.dim), out, count, float(np.float32(scale)),
                                zero_point)
        return out.raw

    def classify(self, embedding: bytes) -> tuple[int, np.ndarray]:
        logits = np.zeros(self.factory.classes + DEFAULTS.extra_classes, np.float32)
        c = self._so.tm_head_classify(self._state, _int8(embedding, self.factory.dim), logits.ctypes.data)
        return c, logits[:self.classes]


def _as_int8(embedding: bytes, dim: int) -> np.ndarray:
    if len(embedding) != dim:
        raise PersonalizeError(f"an embedding of {len(embedding)} values is not this head's ({dim})")
    return np.frombuffer(embedding, np.int8)


def _int8(embedding: bytes, dim: int) -> ctypes.Array:
    if len(embedding) != dim:
        raise PersonalizeError(f"an embedding of {len(embedding)} values is not this head's ({dim})")
    return ctypes.create_string_buffer(bytes(embedding), dim)
