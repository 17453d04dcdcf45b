"""scripts/personalize_prototype.py chose the defaults: its NumPy SGD and imprinting must take the steps the
firmware's C takes (toolchain/personalize/replay.py compiles that C for the host), or what it chose is not
what the device does."""

import sys
from pathlib import Path

import numpy as np

from toolchain.personalize.config import DEFAULTS
from toolchain.personalize.head import Anchors, FactoryHead
from toolchain.personalize.replay import HostHead

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import personalize_prototype as proto  # noqa: E402


def setup(classes=5, dim=24, seed=3):
    """A head and embeddings of keywords' size (|e|^2 about 30: a step moves a logit by about 1, as on the device;
    much larger steps make float32 and float64 part ways after a few, see docs/personalize.md)."""
    rng = np.random.default_rng(seed)
    head = FactoryHead(rng.normal(0, 0.3, (classes, dim)).astype(np.float32),
                       rng.normal(0, 0.1, classes).astype(np.float32), 7, 0.01, -128, 3)
    pool = rng.integers(-128, 60, (20 * classes, dim)).astype(np.int8)
    pool_y = np.arange(len(pool)) % classes
    means, precision = proto.statistics(floats(head, pool), pool_y, classes, DEFAULTS.imprint_ridge)
    anchors = Anchors(rng.integers(-128, 60, (2 * classes, dim)).astype(np.int8),
                      (np.arange(2 * classes) % classes).astype(np.uint8), pool[:8 * classes], means, precision)
    data = [(rng.integers(-128, 60, dim, dtype=np.int8), int(k)) for k in rng.integers(0, classes, 12)]
    return head, anchors, data


def floats(head: FactoryHead, q) -> np.ndarray:
    return (np.asarray(q, np.float64) - head.embed_zero_point) * head.embed_scale


def words(host: HostHead, head: FactoryHead) -> tuple[np.ndarray, np.ndarray]:
    raw = np.frombuffer(host.data, np.float32)
    rows = head.classes + DEFAULTS.extra_classes
    return raw[:rows * head.dim].reshape(rows, head.dim), raw[rows * head.dim:rows * head.dim + rows]


def test_sgd_takes_the_firmwares_steps():
    head, anchors, data = setup()
    host = HostHead(head, False, anchors)
    host.train([(q.tobytes(), k) for q, k in data], 3, 30_000)
    W, b = proto.sgd(head.w.astype(np.float64), head.b.astype(np.float64), floats(head, [q for q, _ in data]),
                     np.array([k for _, k in data]), 0.03, 3, (floats(head, anchors.q), anchors.labels), 0.0,
                     DEFAULTS.anchor_ratio, bool(DEFAULTS.final_anchor_pass), DEFAULTS.lr_decay)
    w, c = words(host, head)
    assert np.abs(w[:head.classes] - W).max() < 1e-4 and np.abs(c[:head.classes] - b).max() < 1e-4
    assert np.abs(W - head.w).max() > 0.01  # it learned something: the comparison is not between two copies


def test_imprint_takes_the_firmwares_row():
    head, anchors, data = setup()
    host = HostHead(head, False, anchors)
    shots = [q for q, _ in data[:5]]
    host.imprint(head.classes, [q.tobytes() for q in shots])
    W, b = proto.imprint_discriminant(head.w.astype(np.float64), head.b.astype(np.float64), floats(head, shots),
                                      anchors.means, anchors.precision, floats(head, anchors.imprint_q),
                                      DEFAULTS.imprint_rank)
    w, c = words(host, head)
    assert np.abs(w[head.classes] - W[-1]).max() < 1e-4 and abs(c[head.classes] - b[-1]) < 1e-4
    z = floats(head, anchors.imprint_q) @ W.T + b
    assert np.sum(z.argmax(axis=1) == head.classes) == DEFAULTS.imprint_rank  # it takes that many of them
