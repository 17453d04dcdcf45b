"""The firmware front-end (firmware/frontend/) compiled for the host with the
system C compiler into a shared library, cached by the hash of its sources and
generated header, and called through ctypes to make training features."""

import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.audio.config import FrontendConfig, header
from toolchain.audio.errors import AudioError

SOURCE_DIR = paths.FIRMWARE / "frontend"
SOURCES = ("tm_frontend.c", "tm_frontend.h")
CFLAGS = ("-O2", "-shared", "-fPIC", "-std=c11", "-Wall", "-Werror")


def compiler() -> str:
    cc = os.environ.get("CC", "gcc")
    if not shutil.which(cc):
        raise AudioError(f"no C compiler '{cc}' for the host build of the audio front-end",
                         "install gcc (Debian: apt-get install gcc) or set CC")
    return cc


def library_path(cfg: FrontendConfig) -> Path:
    """Build (or reuse) the shared library for `cfg` under <build>/cache/frontend/<hash>/."""
    text = header(cfg)
    h = hashlib.sha256(text.encode() + b"".join((SOURCE_DIR / s).read_bytes() for s in SOURCES)
                       + " ".join(CFLAGS).encode()).hexdigest()[:16]
    d = paths.build_root() / "cache" / "frontend" / h
    lib = d / "libtm_frontend.so"
    if lib.is_file():
        return lib
    d.mkdir(parents=True, exist_ok=True)
    (d / "tm_frontend_config.h").write_text(text)
    tmp = d / f".libtm_frontend.{os.getpid()}.so"
    cmd = [compiler(), *CFLAGS, f"-I{d}", f"-I{SOURCE_DIR}", str(SOURCE_DIR / "tm_frontend.c"), "-o", str(tmp)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise AudioError(f"host build of the audio front-end failed: {r.stderr.strip()[:400]}", "check gcc works")
    tmp.replace(lib)  # atomic: a concurrent build never sees half a library
    return lib


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
