"""Builds the harness firmware around the test-only fake model (fake_model/),
so the device loop is tested without the AOT compiler."""

import time
from pathlib import Path

import numpy as np

from toolchain.boards import load
from toolchain.build import project, compile_steps
from toolchain.build.firmware import Firmware
from toolchain.build.sources import ModelSources, tree

FAKE_DIR = Path(__file__).parent / "fake_model"
HASH = "0123456789abcdef"
OTHER_HASH = "fedcba9876543210"
INPUT_BYTES, OUTPUTS, OUT_SCALE, OUT_ZP = 64, 10, 0.5, -3


def build_fake(out_dir: Path, board: str = "qemu-m4", model_hash: str = HASH, profile: bool = False) -> Firmware:
    defines = [] if model_hash == HASH else [f'TM_FAKE_HASH=\\"{model_hash}\\"']
    sources = ModelSources("fake", "fake", tree(FAKE_DIR, "model"), ["model"], 0, INPUT_BYTES, OUTPUTS, defines=defines)
    b = load(board)
    proj = project.write(out_dir, b, sources, profile=profile)
    return compile_steps.compile_project(b, sources, proj, started=time.monotonic(), profile=profile, model_hash=model_hash)


def reference(x: np.ndarray) -> np.ndarray:
    """What the fake model computes, as int8 outputs per sample."""
    x = np.asarray(x, dtype=np.int32).reshape(len(x), -1)
    return np.stack([np.clip(x[:, k::OUTPUTS].sum(1), -128, 127) for k in range(OUTPUTS)], axis=1).astype(np.int8)


def samples(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-128, 128, size=(n, INPUT_BYTES)).astype(np.int8)
