"""The head's C on the host (toolchain/personalize/replay.py): the fixed-point
twin equals an independent int64 NumPy model of its arithmetic bit for bit, the
float32 twin follows float64 SGD closely, both twins agree with each other, and
imprinting adds a row that classifies its own examples."""

import numpy as np
import pytest

from toolchain.personalize.config import DEFAULTS, fixed, header
from toolchain.personalize.head import Anchors, FactoryHead
from toolchain.personalize.replay import HostHead, head_bytes, lr_of

F = DEFAULTS.frac_bits


def small_head(classes=4, dim=16, seed=0) -> FactoryHead:
    rng = np.random.default_rng(seed)
    w = (rng.normal(0, 0.3, (classes, dim))).astype(np.float32)
    b = (rng.normal(0, 0.1, classes)).astype(np.float32)
    return FactoryHead(w, b, embed_tensor=7, embed_scale=0.05, embed_zero_point=-128, fc_index=3)


def examples(head: FactoryHead, n: int, seed=1) -> list[tuple[bytes, int]]:
    rng = np.random.default_rng(seed)
    return [(rng.integers(-128, 60, head.dim, dtype=np.int8).tobytes(), int(rng.integers(0, head.classes)))
            for _ in range(n)]


def words(host: HostHead) -> tuple[np.ndarray, np.ndarray]:
    h = host.factory
    rows = h.classes + DEFAULTS.extra_classes
    v = np.frombuffer(host.data, np.int32 if host.fixed_point else np.float32)
    return v[:rows * h.dim].reshape(rows, h.dim)[:host.classes], v[rows * h.dim:rows * h.dim + rows][:host.classes]


# -- an int64 model of tm_head_fixed.c, written from its comments ------------------------------------

def rshift(x, s):
    return (np.int64(x) + (np.int64(1) << (s - 1))) >> s


def exp2_q(x: int) -> int:
    n = x >> F
    f = np.int64(x - n * (1 << F)) << (30 - F)
    p = np.int64(84960056)
    p = 241534262 + rshift(p * f, 30)
    p = 747247505 + rshift(p * f, 30)
    p = (1 << 30) + rshift(p * f, 30)
    shift = 30 - F - n
    return 0 if shift >= 62 else int(rshift(p, shift))


def step_model(w, b, head: FactoryHead, q: bytes, label: int, lr: float):
    scale_q = round(head.embed_scale * (1 << DEFAULTS.embed_scale_bits))
    x = np.frombuffer(q, np.int8).astype(np.int64) - head.embed_zero_point
    e = np.array([rshift(v * scale_q, DEFAULTS.embed_scale_bits - F) for v in x], np.int64)
    z = np.array([int(rshift(int(np.dot(w[c].astype(np.int64), e)), F)) + int(b[c]) for c in range(len(b))])
    top = z.max()
    p = np.array([exp2_q(int(rshift((int(v) - int(top)) * 1549082005, 30))) for v in z], np.int64)
    total = int(p.sum())
    rate = int(np.float32(lr) * np.float32(1 << F) + np.float32(0.5))
    for c in range(len(b)):
        g = (int(p[c]) * (1 << F) + total // 2) // total - ((1 << F) if c == label else 0)
        s = int(rshift(rate * g, F))
        w[c] = w[c] - np.array([rshift(s * int(v), F) for v in e], np.int64).astype(np.int32)
        b[c] = np.int32(int(b[c]) - s)


def test_fixed_point_step_equals_an_int64_model():
    head = small_head()
    host = HostHead(head, fixed_point=True)
    w = fixed(head.w).astype(np.int32).copy()
    b = fixed(head.b).astype(np.int32).copy()
    lr = lr_of(50_000)
    for q, label in examples(head, 12):
        host.step(q, label, lr)
        step_model(w, b, head, q, label, lr)
        hw, hb = words(host)
        assert np.array_equal(hw, w) and np.array_equal(hb, b)
    assert not np.array_equal(w, fixed(head.w))  # it learned something


def sgd_float64(head: FactoryHead, data, epochs: int, lr: float):
    w, b = head.w.astype(np.float64), head.b.astype(np.float64)
    for epoch in range(epochs):
        rate = lr * DEFAULTS.lr_decay ** epoch
        for q, label in data:
            e = (np.frombuffer(q, np.int8).astype(np.float64) - head.embed_zero_point) * head.embed_scale
            z = w @ e + b
            p = np.exp(z - z.max())
            g = p / p.sum() - np.eye(len(b))[label]
            w -= rate * np.outer(g, e)
            b -= rate * g
    return w, b


@pytest.mark.parametrize("fixed_point,tolerance", [(False, 1e-4), (True, 3e-3)])
def test_twins_follow_float64_sgd(fixed_point, tolerance):
    head = small_head()
    data = examples(head, 20)
    host = HostHead(head, fixed_point)
    host.train(data, epochs=3, lr_millionths=20_000)
    w, b = sgd_float64(head, data, 3, 0.02)
    hw, hb = words(host)
    if fixed_point:
        hw, hb = hw / (1 << F), hb / (1 << F)
    assert np.abs(hw - w).max() < tolerance and np.abs(hb - b).max() < tolerance
    assert np.abs(w - head.w).max() > 50 * tolerance  # the update is far larger than the tolerance


def test_reset_and_load_round_trip():
    head = small_head()
    host = HostHead(head, False)
    factory = host.data
    assert len(factory) == head_bytes(head)
    host.train(examples(head, 5), 2, 50_000)
    trained = host.data
    assert trained != factory
    host.reset()
    assert host.data == factory
    host.load(trained)
    assert host.data == trained


def with_statistics(head: FactoryHead, seed=7, per_class=10) -> Anchors:
    """Anchors of `head` with imprinting's statistics from a random pool, as toolchain/personalize/anchors.py
    makes them from the recipe's."""
    from toolchain.personalize.anchors import statistics

    rng = np.random.default_rng(seed)
    pool = rng.integers(-128, 60, (per_class * head.classes, head.dim)).astype(np.int8)
    y = np.arange(len(pool)) % head.classes
    means, precision = statistics((pool.astype(np.float64) - head.embed_zero_point) * head.embed_scale, y,
                                  head.classes)
    return Anchors(pool[:2 * head.classes], y[:2 * head.classes].astype(np.uint8), pool, means, precision)


def new_class(head: FactoryHead, n=6, seed=5) -> list[bytes]:
    rng = np.random.default_rng(seed)
    centre = rng.integers(-40, 100, head.dim)
    return [np.clip(centre + rng.integers(-6, 6, head.dim), -128, 127).astype(np.int8).tobytes() for _ in range(n)]


@pytest.mark.parametrize("fixed_point", [False, True])
def test_imprint_without_statistics_takes_its_own_examples_by_one_logit(fixed_point):
    head = small_head(dim=24)
    new = new_class(head)
    host = HostHead(head, fixed_point)
    host.imprint(head.classes, new[:5])
    assert host.classes == head.classes + 1
    assert host.classify(new[5])[0] == head.classes
    margins = []
    for q in new[:5]:
        z = host.classify(q)[1]
        margins.append(z[-1] - z[:-1].max())
    assert min(margins) == pytest.approx(1.0, abs=1e-3)  # the closest of its own examples, by one logit
    w, b = words(host)
    one = (1 << F) if fixed_point else 1
    assert np.isclose(np.linalg.norm(w[-1] - w[host.classify(new[0])[1][:-1].argmax()]) / one,
                      np.linalg.norm(w[:-1], axis=1).mean() / one, rtol=1e-3)  # the confused row plus alpha


@pytest.mark.parametrize("fixed_point", [False, True])
def test_imprint_takes_rank_of_the_imprint_anchors(fixed_point):
    head = small_head(dim=24)
    anchors = with_statistics(head)
    host = HostHead(head, fixed_point, anchors)
    new = new_class(head)
    host.imprint(head.classes, new[:5])
    taken = [host.classify(q.tobytes())[0] == head.classes for q in anchors.imprint_q]
    assert sum(taken) == DEFAULTS.imprint_rank
    again = HostHead(head, fixed_point, anchors)  # the same embeddings give the same bytes
    again.imprint(head.classes, new[:5])
    assert again.data == host.data


def test_fixed_imprint_follows_the_float_one():
    head = small_head(dim=24)
    anchors = with_statistics(head)
    new = new_class(head)
    heads = [HostHead(head, fixed_point, anchors) for fixed_point in (False, True)]
    for h in heads:
        h.imprint(head.classes, new[:5])
    (fw, fb), (qw, qb) = words(heads[0]), words(heads[1])
    assert np.abs(qw / (1 << F) - fw).max() < 2e-3 and np.abs(qb / (1 << F) - fb).max() < 2e-2


def test_anchors_interleave():
    head = small_head(dim=24)
    anchors = with_statistics(head)
    data = examples(head, 5)
    plain, anchored = HostHead(head, False), HostHead(head, False, anchors)
    assert plain.train(data, 2, 20_000) == 10
    assert anchored.train(data, 2, 20_000) == 10 * (1 + DEFAULTS.anchor_ratio) + len(anchors) * DEFAULTS.final_anchor_pass
    assert plain.data != anchored.data


def test_header_carries_the_layout():
    head = small_head()
    text = header(head, Anchors.none(head.dim), fixed_point=True)
    assert "typedef int32_t tm_head_word_t;" in text and f"#define TM_HEAD_DIM {head.dim}" in text
    assert f"#define TM_HEAD_MAX_CLASSES {head.classes + DEFAULTS.extra_classes}" in text
    assert str(int(fixed(head.w)[0, 0])) in text
    assert "typedef float tm_head_word_t;" in header(head, Anchors.none(head.dim), fixed_point=False)


def test_hard_anchors_rule():
    from toolchain.personalize.anchors import hardest, quota, round_robin

    head = FactoryHead(np.eye(3, 4, dtype=np.float32), np.zeros(3, np.float32), 0, 1.0, 0, 0)
    # class 1: logits (x0, x1, x2); correct when x1 is largest, margin x1 - max(x0, x2)
    q = np.array([[0, 5, 1, 0], [0, 2, 1, 0], [3, 2, 0, 0], [0, 9, 0, 0], [1, 2, 0, 0]], np.int8)
    assert hardest(q, 1, head, 3) == [1, 4, 0]  # margins 1, 1 (stable: row 1 first), 4; row 2 is wrong, 3 easy
    assert quota(np.array([0] * 30 + [1] * 120 + [2] * 31), 3, 10) == [10, 40, 10]
    assert round_robin([[7, 8], [5], [1, 2, 3]]) == [(0, 7), (1, 5), (2, 1), (0, 8), (2, 2), (2, 3)]


@pytest.mark.parametrize("fixed_point", [False, True])
def test_output_is_the_heads_softmax_in_the_models_quantization(fixed_point):
    head = small_head()
    host = HostHead(head, fixed_point)
    host.train(examples(head, 8), 2, 50_000)
    for q, _ in examples(head, 6, seed=9):
        out = np.frombuffer(host.output(q, head.classes, 1 / 256, -128), np.int8).astype(int)
        cls, z = host.classify(q)
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        assert np.abs(out - np.clip(np.round(p * 256) - 128, -128, 127)).max() <= 1
        assert out[cls] == out.max()
    # an output of another size than the model's classes is left as it was
    assert host.output(q, head.classes + 1, 1 / 256, -128) == bytes(head.classes + 1)
