"""A user's own sensor logs, one CSV file (the contract is docs/data.md).

Two layouts:
- windowed: a `window` column groups consecutive rows into one sample, and
  every row of a window carries the same `label`;
- continuous: no `window` column; the log is cut into windows of
  `window_length` rows every `stride` rows, and a window whose rows carry
  more than one label is dropped (counted in the summary).

Channels are the `columns` given, else every column but `label`, `window` and
time stamps (`time`, `timestamp`, `t`). Windows are cut or zero-padded to
`steps` rows. `path` is relative to the recipe folder."""

import csv
from pathlib import Path

import numpy as np

from toolchain.console import console
from toolchain.recipes.data.dataset import DataError

TIME_COLUMNS = ("time", "timestamp", "t")


def load(seed: int, path: str, steps: int | None = None, columns: list[str] | None = None,
         window_length: int | None = None, stride: int | None = None, base_dir: Path | None = None):
    p = Path(base_dir or ".") / path
    if not p.is_file():
        raise DataError(f"CSV log '{p}' not found", "set [data.args] path to a file, relative to the recipe folder")
    with open(p, newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        rows = list(reader)
    if "label" not in header or not rows:
        raise DataError(f"CSV log '{p}' needs a header with a 'label' column and at least one row", "see docs/data.md")
    windowed = "window" in header
    if not windowed and not window_length:
        raise DataError(f"CSV log '{p}' has no 'window' column and [data.args] sets no window_length",
                        "add a window column, or set window_length (and stride) to cut the continuous log")
    channels = _channels(p, header, columns)
    ignored = [c for c in header if c not in channels and c not in ("label", "window")]
    values = np.zeros((len(rows), len(channels)), dtype=np.float32)
    for i, r in enumerate(rows):
        try:
            values[i] = [float(r[c]) for c in channels]
        except (TypeError, ValueError):
            bad = next(c for c in channels if not _is_number(r[c]))
            raise DataError(f"{p}:{i + 2}: column '{bad}' is not a number ({r[bad]!r})",
                            "fix the row, or leave the column out with [data.args] columns = [...]") from None
    labels_per_row = [r["label"] for r in rows]
    if windowed:
        samples, labels_of = _by_window(p, rows, values)
        dropped = 0
    else:
        samples, labels_of, dropped = _continuous(values, labels_per_row, window_length, stride or window_length)
    steps = steps or window_length or max(len(s) for s in samples)
    labels = sorted(set(labels_of))
    x = np.zeros((len(samples), steps, len(channels)), dtype=np.float32)
    for k, s in enumerate(samples):
        x[k, : min(len(s), steps)] = s[:steps]
    y = np.array([labels.index(lbl) for lbl in labels_of], dtype=np.int64)
    counts = ", ".join(f"{lbl} {int(np.sum(y == i))}" for i, lbl in enumerate(labels))
    console.step(f"data: {p.name}: {len(samples)} windows of {steps} rows x {len(channels)} channels "
                 f"({', '.join(channels)}); per class: {counts}"
                 + (f"; ignored columns: {', '.join(ignored)}" if ignored else "")
                 + (f"; dropped {dropped} spanning a label change" if dropped else ""))
    return x, y, labels


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _channels(p: Path, header: list[str], columns: list[str] | None) -> list[str]:
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"CSV log '{p}' has no column {', '.join(map(repr, missing))}",
                            f"its columns are: {', '.join(header)}")
        return list(columns)
    channels = [c for c in header if c not in ("label", "window") and c.lower() not in TIME_COLUMNS]
    if not channels:
        raise DataError(f"CSV log '{p}' has no channel columns besides label/window/time", "see docs/data.md")
    return channels


def _by_window(p: Path, rows: list[dict], values: np.ndarray) -> tuple[list[np.ndarray], list[str]]:
    order: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        order.setdefault(r["window"], []).append(i)
    samples, labels_of = [], []
    for w, idx in order.items():
        found = {rows[i]["label"] for i in idx}
        if len(found) > 1:
            raise DataError(f"{p}: window '{w}' (lines {idx[0] + 2}-{idx[-1] + 2}) has rows labelled "
                            f"{', '.join(sorted(found))}", "give every row of a window the same label")
        samples.append(values[idx])
        labels_of.append(found.pop())
    return samples, labels_of


def _continuous(values: np.ndarray, labels: list[str], length: int, stride: int):
    if length < 1 or stride < 1:
        raise DataError(f"window_length {length} and stride {stride} must be at least 1")
    samples, labels_of, dropped = [], [], 0
    for start in range(0, len(values) - length + 1, stride):
        found = set(labels[start:start + length])
        if len(found) > 1:
            dropped += 1
            continue
        samples.append(values[start:start + length])
        labels_of.append(found.pop())
    if not samples:
        raise DataError(f"no window of {length} rows with a single label in the log",
                        "lower window_length, or check the labels")
    return samples, labels_of, dropped
