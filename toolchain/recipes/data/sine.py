"""Synthetic sine wave with noise: TFLM's hello-world regression task."""

import numpy as np


def load(seed: int, samples: int = 1000, noise: float = 0.1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2 * np.pi, size=(samples, 1)).astype(np.float32)
    y = (np.sin(x[:, 0]) + rng.normal(0, noise, samples)).astype(np.float32)
    return x, y, []
