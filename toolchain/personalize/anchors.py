"""Anchors: factory embeddings kept in the firmware's flash and interleaved with
the user's examples during SGD (DEFAULTS.anchor_ratio after each), so the head
does not forget the classes the user gives few or no examples of.

Chosen at build time from the recipe's TRAINING split (never its test split,
on which forgetting is measured), "hard" anchors: for class k, the first
ANCHOR_POOL of numpy.random.default_rng([1, k]).permutation over that class's
training examples, embedded (the int8 input of the last FULLY_CONNECTED, by
TFLite Micro's reference interpreter, with which the AOT code is bit-exact);
of those the factory head (float) classifies correctly, the ones with the
smallest margin (own logit - best other logit, a stable sort) first. Class k
gets round(anchors_per_class * its training count / the smallest class's),
so a class the recipe made larger ("unknown") keeps its share. Ordered
round-robin over the classes in label order.

Imprinting's statistics come from the same pools: each class's mean
embedding, the inverse of the pooled within-class covariance plus a ridge
(DEFAULTS.imprint_ridge times its mean variance on the diagonal), and
"imprint anchors": the first round(imprint_anchors_per_class * count /
smallest count) of each class's pool, unselected (a sample of what the
device will hear, so the number of them a new row takes estimates how much
of the old classes it would take). Cached beside the model as ANCHOR_FILE,
by the .tflite's hash and the rules' settings. A model without a recipe (an
imported .tflite) has none of these."""

from pathlib import Path

import numpy as np

from toolchain import manifest
from toolchain.console import console
from toolchain.evaluate import io_quant
from toolchain.evaluate.reference import tflm_tensors
from toolchain.personalize.config import DEFAULTS
from toolchain.personalize.head import Anchors, FactoryHead
from toolchain.recipes.data import dataset as datasets

ANCHOR_FILE = "personalize-anchors.npz"
ANCHOR_POOL = 100  # training examples per class the hard anchors are chosen from


def pool(y_train: np.ndarray, k: int) -> np.ndarray:
    """Training indices of class k the anchors are chosen from, in their seeded order."""
    idx = np.flatnonzero(np.asarray(y_train) == k)
    return idx[np.random.default_rng([1, k]).permutation(len(idx))[:ANCHOR_POOL]]


def quota(y_train: np.ndarray, classes: int, per_class: int = DEFAULTS.anchors_per_class) -> list[int]:
    """Anchors per class: per_class times the class's training count over the smallest class's."""
    counts = np.bincount(np.asarray(y_train), minlength=classes)[:classes]
    smallest = max(1, int(counts[counts > 0].min())) if (counts > 0).any() else 1
    return [int(round(per_class * int(c) / smallest)) for c in counts]


def hardest(q: np.ndarray, k: int, head: FactoryHead, n: int) -> list[int]:
    """Of the embeddings `q` (int8, of class k), the `n` the factory head classifies correctly with the smallest
    margins, as positions in `q`."""
    e = (q.astype(np.float64) - head.embed_zero_point) * head.embed_scale
    z = e @ head.w.astype(np.float64).T + head.b.astype(np.float64)
    others = np.where(np.arange(head.classes) == k, -np.inf, z).max(axis=1)
    correct = np.flatnonzero(z.argmax(axis=1) == k)
    margin = z[correct, k] - others[correct]
    return [int(i) for i in correct[np.argsort(margin, kind="stable")][:n]]


def round_robin(per_class: list[list[int]]) -> list[tuple[int, int]]:
    """(class, its r-th) for r = 0, 1, ... over the classes in label order, while a class has an r-th."""
    order = []
    for r in range(max((len(c) for c in per_class), default=0)):
        order += [(k, c[r]) for k, c in enumerate(per_class) if r < len(c)]
    return order


def embeddings(tflite: Path, tensor: int, x: np.ndarray) -> np.ndarray:
    """The int8 values of `tensor` for each quantized input in `x`, by TFLM's reference kernels."""
    values = tflm_tensors(tflite, [tensor], x)
    return np.stack([v[tensor].astype(np.int8) for v in values]) if values else np.zeros((0, 0), np.int8)


def statistics(e: np.ndarray, y: np.ndarray, classes: int, ridge: float = DEFAULTS.imprint_ridge):
    """Class means of float embeddings `e` (labels `y`) and the inverse of their within-class covariance with
    `ridge` times its mean variance added to the diagonal."""
    means = np.stack([e[y == k].mean(axis=0) if (y == k).any() else np.zeros(e.shape[1]) for k in range(classes)])
    r = e - means[y]
    cov = r.T @ r / len(e)
    cov += ridge * np.trace(cov) / len(cov) * np.eye(len(cov))
    return means, np.linalg.inv(cov)


def anchors_for(prepared, head: FactoryHead) -> Anchors:
    """The anchors of the prepared model (cached); none for a model without a recipe's data."""
    lineage = prepared.manifest.get("lineage") or {}
    config, recipe = lineage.get("config", {}).get("data"), lineage.get("recipe")
    if not config or not recipe or DEFAULTS.anchors_per_class == 0:
        return Anchors.none(head.dim)
    tflite = Path(prepared.tflite)
    d = DEFAULTS
    key = (f"{manifest.file_hash(tflite)[:16]}-hard-{ANCHOR_POOL}-{d.anchors_per_class}-{head.embed_tensor}"
           f"-imprint-{d.imprint_anchors_per_class}-{d.imprint_ridge}")
    cache = tflite.parent / ANCHOR_FILE
    if cache.is_file():
        saved = np.load(cache)
        if str(saved["key"]) == key:
            return Anchors(saved["q"].astype(np.int8), saved["labels"].astype(np.uint8),
                           saved["imprint_q"].astype(np.int8), saved["means"], saved["precision"])
    with console.status(f"anchors: {ANCHOR_POOL} training examples per class through {tflite.name}"):
        data = datasets.load(config["loader"], int(lineage.get("seed", 0)), config["test_fraction"],
                             base_dir=Path(recipe), **config["args"])
        qin, _ = io_quant(tflite.read_bytes())
        chosen, sample, pools = [], [], []
        imprint_quota = quota(data.y_train, head.classes, d.imprint_anchors_per_class)
        for k, n in enumerate(quota(data.y_train, head.classes)):
            idx = pool(data.y_train, k)
            q = embeddings(tflite, head.embed_tensor, qin.quantize(data.x_train[idx])).reshape(len(idx), head.dim)
            chosen.append([q[i] for i in hardest(q, k, head, n)])
            sample.append(list(q[:imprint_quota[k]]))
            pools.append(q)
    order, spread = round_robin(chosen), round_robin(sample)
    pooled = np.concatenate(pools)
    e = (pooled.astype(np.float64) - head.embed_zero_point) * head.embed_scale
    means, precision = statistics(e, np.repeat(np.arange(head.classes), [len(q) for q in pools]), head.classes)
    result = Anchors(np.array([q for _, q in order], np.int8).reshape(len(order), head.dim),
                     np.array([k for k, _ in order], np.uint8),
                     np.array([q for _, q in spread], np.int8).reshape(len(spread), head.dim), means, precision)
    np.savez(cache, key=key, q=result.q, labels=result.labels, imprint_q=result.imprint_q, means=means,
             precision=precision)
    return result
