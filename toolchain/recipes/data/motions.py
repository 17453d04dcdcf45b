"""BasicMotions: real accelerometer + gyroscope recordings (4 activities,
6 channels x 100 steps) shipped offline inside the `aeon` package."""

import numpy as np


def load(seed: int):
    from aeon.datasets import load_basic_motions

    parts = [load_basic_motions(split=s) for s in ("train", "test")]
    x = np.concatenate([p[0] for p in parts]).transpose(0, 2, 1)  # (n, channels, time) -> (n, time, channels)
    y_names = np.concatenate([p[1] for p in parts])
    labels = sorted(set(y_names))
    y = np.array([labels.index(v) for v in y_names], dtype=np.int64)
    return x.astype(np.float32), y, labels
