"""A user's own sensor logs: one CSV with a `label` column and a `window`
column (an id grouping consecutive rows into one sample); every other column
is a channel. Windows are cut or zero-padded to `steps` rows."""

import csv
from pathlib import Path

import numpy as np

from toolchain.recipes.data.dataset import DataError


def load(seed: int, path: str, steps: int):
    p = Path(path)
    if not p.is_file():
        raise DataError(f"CSV log '{p}' not found", "set [data.args] path to an existing file")
    with open(p, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"label", "window"} <= set(rows[0]):
        raise DataError(f"CSV log '{p}' needs a header with 'window' and 'label' columns")
    channels = [c for c in rows[0] if c not in ("label", "window")]
    windows: dict[str, list] = {}
    labels_of: dict[str, str] = {}
    for i, r in enumerate(rows, start=2):
        try:
            windows.setdefault(r["window"], []).append([float(r[c]) for c in channels])
        except (TypeError, ValueError):
            raise DataError(f"{p}:{i}: non-numeric value in a channel column") from None
        labels_of[r["window"]] = r["label"]
    labels = sorted(set(labels_of.values()))
    x = np.zeros((len(windows), steps, len(channels)), dtype=np.float32)
    for k, rows_k in enumerate(windows.values()):
        a = np.asarray(rows_k[:steps], dtype=np.float32)
        x[k, : len(a)] = a
    y = np.array([labels.index(labels_of[w]) for w in windows], dtype=np.int64)
    return x, y, labels
