"""The firmware front-end (firmware/frontend/) compiled for the host
(toolchain.host_library: cached by the hash of its sources and generated
header) and called through ctypes to make training features."""

import ctypes
import functools
from pathlib import Path

import numpy as np

from toolchain import host_library, paths
from toolchain.audio.config import FrontendConfig, header
from toolchain.audio.errors import AudioError

SOURCE_DIR = paths.FIRMWARE / "frontend"


def library_path(cfg: FrontendConfig) -> Path:
    """Build (or reuse) the shared library for `cfg` under <build>/cache/frontend/<hash>/."""
    return host_library.build("frontend", [SOURCE_DIR / "tm_frontend.c"], paths.build_root() / "cache",
                              headers=[SOURCE_DIR / "tm_frontend.h"],
                              generated={"tm_frontend_config.h": header(cfg)}, include_dirs=[SOURCE_DIR],
                              what="the audio front-end", error=AudioError)


@functools.cache
def _load(lib: Path):
    so = ctypes.CDLL(str(lib))
    so.tm_frontend_clip.restype = ctypes.c_size_t
    so.tm_frontend_clip.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    return so


def features(pcm: np.ndarray, cfg: FrontendConfig) -> np.ndarray:
    """int8 features (clips, frames, bands) of int16 clips (clips, samples), by the firmware's own C."""
    pcm = np.ascontiguousarray(np.atleast_2d(pcm), dtype=np.int16)
    so = _load(library_path(cfg))
    shape = (ctypes.c_int32 * 4)()
    so.tm_frontend_shape(shape)
    if list(shape) != [cfg.window, cfg.hop, cfg.fft, cfg.mel_bands]:
        raise AudioError("the host front-end library does not match its configuration", "delete build/cache/frontend")
    frames = 1 + (pcm.shape[1] - cfg.window) // cfg.hop
    out = np.zeros((len(pcm), frames, cfg.mel_bands), dtype=np.int8)
    for i in range(len(pcm)):
        so.tm_frontend_clip(pcm[i].ctypes.data, pcm.shape[1], out[i].ctypes.data)
    return out
