"""scikit-learn's 8x8 handwritten digits (1,797 images, ships with the package)."""

import numpy as np


def load(seed: int):
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[..., np.newaxis]  # pixel values are 0..16
    return x, d.target.astype(np.int64), [str(i) for i in range(10)]
