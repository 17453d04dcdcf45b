"""Arrays cached under build/cache/ as .npz files, written whole or not at all: a run cut short, or two runs at
once, never leave a half-written file under the name a later run reads."""

from pathlib import Path

import numpy as np


def save(path: Path, **arrays) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def save_list(path: Path, xs: list[np.ndarray]) -> None:
    """A list of arrays of different lengths (a word's renders), one entry each."""
    save(path, **{str(i): x for i, x in enumerate(xs)})


def load_list(path: Path, n: int) -> list[np.ndarray]:
    with np.load(path) as f:
        return [f[str(i)] for i in range(n)]
