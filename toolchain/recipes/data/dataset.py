"""The `Dataset` every loader returns, and the registry that finds loaders by name."""

from dataclasses import dataclass, field
from importlib import import_module

import numpy as np

from toolchain.errors import ToolchainError

# loader name -> module in toolchain.recipes.data; each module has `load(seed, **args) -> (x, y, labels)`
LOADERS = {"digits": "digits", "sine": "sine", "basic_motions": "motions", "csv": "csv_log"}


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


def split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int, stratify: bool) -> tuple[np.ndarray, ...]:
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y if stratify else None)


def load(loader: str, seed: int, test_fraction: float = 0.2, **args) -> Dataset:
    """Load dataset `loader` and split it into train/test deterministically for `seed`."""
    if loader not in LOADERS:
        raise DataError(f"unknown data loader '{loader}'", f"use one of: {', '.join(sorted(LOADERS))}")
    mod = import_module(f"toolchain.recipes.data.{LOADERS[loader]}")
    try:
        x, y, labels = mod.load(seed=seed, **args)
    except TypeError as e:
        raise DataError(f"bad arguments for data loader '{loader}': {e}", "check the [data] table of the recipe") from e
    x = np.asarray(x, dtype=np.float32)
    x_tr, x_te, y_tr, y_te = split(x, y, test_fraction, seed, stratify=bool(labels))
    return Dataset(x_tr, y_tr, x_te, y_te, labels)
