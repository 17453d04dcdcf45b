"""The `Dataset` every loader returns, and the registry that finds loaders by name."""

from dataclasses import dataclass, field
import inspect
import math
from importlib import import_module
from pathlib import Path

import numpy as np

from toolchain.audio.config import AUDIO_LOADERS
from toolchain.errors import ToolchainError

# loader name -> module in toolchain.recipes.data; each module has `load(seed, **args) -> (x, y, labels)`
LOADERS = {"digits": "digits", "sine": "sine", "basic_motions": "motions", "csv": "csv_log",
           "speech": "speech", "wav_folder": "wav_folder"}


class DataError(ToolchainError):
    pass


@dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: list[str] = field(default_factory=list)  # class names; empty for regression

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_outputs(self) -> int:
        return len(self.labels) if self.labels else (1 if self.y_train.ndim == 1 else self.y_train.shape[1])


def check_split(n: int, classes: int, test_fraction: float) -> None:
    """A stratified split needs one sample of every class on each side; sklearn says so with a traceback."""
    if not 0 < test_fraction < 1:
        raise DataError(f"test_fraction {test_fraction} leaves no training or no held-out samples",
                        "use a fraction between 0 and 1, e.g. test_fraction = 0.2")
    test = math.ceil(n * test_fraction)  # how sklearn rounds the held-out count
    if classes and min(test, n - test) < classes:
        side = "held-out" if test < classes else "training"
        raise DataError(f"test_fraction {test_fraction:g} of {n} samples leaves {min(test, n - test)} {side} samples "
                        f"for {classes} classes: a stratified split needs one of each on both sides",
                        f"use more samples (e.g. a larger clips_per_class) so that each side gets at least {classes}")


def split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int, stratify: bool) -> tuple[np.ndarray, ...]:
    from sklearn.model_selection import train_test_split

    check_split(len(y), len(np.unique(y)) if stratify else 0, test_fraction)

    return train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y if stratify else None)


def _call(loader: str, function: str, seed: int, base_dir: Path | None, args: dict):
    """`function` (load or raw) of loader module `loader`, with `args` checked against its signature."""
    if loader not in LOADERS:
        raise DataError(f"unknown data loader '{loader}'", f"use one of: {', '.join(sorted(LOADERS))}")
    fn = getattr(import_module(f"toolchain.recipes.data.{LOADERS[loader]}"), function)
    accepted = inspect.signature(fn).parameters
    unknown = [a for a in args if a not in accepted]
    if unknown:
        allowed = [a for a in accepted if a not in ("seed", "base_dir")]
        raise DataError(f"data loader '{loader}' takes no argument {', '.join(map(repr, unknown))}",
                        f"its [data.args] are: {', '.join(allowed) or 'none'}")
    if "base_dir" in accepted:
        args = {**args, "base_dir": base_dir}
    return fn(seed=seed, **args)


def load(loader: str, seed: int, test_fraction: float = 0.2, base_dir: Path | None = None, **args) -> Dataset:
    """Load dataset `loader` and split it into train/test deterministically for `seed`. `base_dir`: the recipe
    folder, which file paths in `args` are relative to (given to loaders that take a `base_dir`)."""
    x, y, labels = _call(loader, "load", seed, base_dir, args)
    x = np.asarray(x, dtype=np.float32)
    if labels:
        counts = np.bincount(np.asarray(y), minlength=len(labels))
        rare = [f"'{labels[i]}' ({counts[i]})" for i in range(len(labels)) if counts[i] < 2]
        if rare:
            raise DataError(f"class {', '.join(rare)} has fewer than 2 samples, too few to hold one out for testing",
                            f"a typo in a label? the classes are: {', '.join(labels)}")
    x_tr, x_te, y_tr, y_te = split(x, y, test_fraction, seed, stratify=bool(labels))
    return Dataset(x_tr, y_tr, x_te, y_te, labels)


def raw_test_split(loader: str, seed: int, test_fraction: float = 0.2, base_dir: Path | None = None,
                   **args) -> tuple[np.ndarray, np.ndarray] | None:
    """(device inputs, labels) of the held-out split of an audio loader: the clips whose features
    `load` put in x_test, in the same order (the split depends only on the count and labels); None
    for other loaders."""
    if loader not in AUDIO_LOADERS:
        return None
    raw, y = _call(loader, "raw", seed, base_dir, args)
    _, test, _, y_test = split(np.arange(len(y)), y, test_fraction, seed, stratify=True)
    return raw[test], y_test


class Lazy:
    """A Dataset loaded on first use: a step whose outputs are up to date never pays for loading its data."""

    def __init__(self, load):
        self._load = load
        self._data = None

    def __getattr__(self, name):
        if self._data is None:
            self._data = self._load()
        return getattr(self._data, name)
