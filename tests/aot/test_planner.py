"""Memory plans: no two buffers alive at the same time overlap, except an
in-place output sitting at least its lag (and a multiple of its unit) below
the input it overwrites."""

import numpy as np
import pytest

from tests.aot import random_models
from toolchain.aot.lower import assign_memory, lower_graph
from toolchain.aot.planner import Buffer, plan
from toolchain.aot.reader import read_tflite, read_tflite_bytes


def assert_no_bad_overlap(buffers: list[Buffer]) -> None:
    """Test-only O(N^2) check, written independently of the planner."""
    for i, a in enumerate(buffers):
        assert a.offset >= 0 and a.offset % 4 == 0
        for b in buffers[i + 1:]:
            if a.last < b.first or b.last < a.first:
                continue
            if a.offset + a.size <= b.offset or b.offset + b.size <= a.offset:
                continue
            a_over_b = (b.key in a.lags and a.offset + a.lags[b.key] <= b.offset
                        and (b.offset - a.offset) % a.units.get(b.key, 1) == 0)
            b_over_a = (a.key in b.lags and b.offset + b.lags[a.key] <= a.offset
                        and (a.offset - b.offset) % b.units.get(a.key, 1) == 0)
            assert a_over_b or b_over_a, \
                f"{a.key}@{a.offset}+{a.size} [{a.first},{a.last}] overlaps {b.key}@{b.offset}+{b.size} [{b.first},{b.last}]"


def _plan_model(data_or_path):
    g = read_tflite(data_or_path) if not isinstance(data_or_path, bytes) else read_tflite_bytes(data_or_path)
    mem = assign_memory(g, lower_graph(g))
    return plan(mem.buffers)


@pytest.mark.parametrize("model,limit", [("kws_ref_model", 17000), ("pretrainedResnet_quant", 40700)])
def test_mlperf_arena_targets(model, limit, mlperf):
    path = mlperf.path(model)
    p = _plan_model(path)
    assert_no_bad_overlap(p.buffers)
    assert p.peak == max(b.offset + b.size for b in p.buffers)
    assert p.peak <= limit


def test_random_chains_plans_are_sound_and_use_in_place():
    rng = np.random.default_rng(3)
    in_place = 0
    for _ in range(150):
        p = _plan_model(random_models.GENERATORS[str(rng.choice(["chain", "small_cnn"]))](rng))
        assert_no_bad_overlap(p.buffers)
        in_place += sum(1 for a in p.buffers for b in p.buffers
                        if b.key in a.lags and a.offset < b.offset + b.size and b.offset < a.offset + a.size)
    assert in_place > 20


def test_random_buffer_sets():
    rng = np.random.default_rng(4)
    for _ in range(300):
        n = int(rng.integers(1, 25))
        bufs = []
        for i in range(n):
            first = int(rng.integers(0, 10))
            bufs.append(Buffer(f"t{i}", int(rng.integers(1, 5000)), first, first + int(rng.integers(0, 5))))
        for a in bufs:  # random in-place permissions towards buffers dying where a is born
            for b in bufs:
                if a is not b and b.last == a.first and rng.random() < 0.5:
                    a.lags[b.key] = int(rng.integers(-500, 2000))
                    a.units[b.key] = int(rng.choice([1, 4, 12, 64, 512]))
        p = plan(bufs)
        assert_no_bad_overlap(p.buffers)
        live_max = max(sum(b.size for b in bufs if b.first <= t <= b.last) for t in range(16))
        assert p.peak <= sum(b.size for b in bufs) + 4 * n
        assert p.peak >= min(live_max, max(b.size for b in bufs))


def test_overlap_check_catches_a_bad_plan():
    a, b = Buffer("t0", 100, 0, 2, offset=0), Buffer("t1", 100, 1, 3, offset=50)
    with pytest.raises(AssertionError):
        assert_no_bad_overlap([a, b])


def test_in_place_distance_is_a_multiple_of_the_unit():
    """VWW's layer 13 case: a scratch buffer at 0 would let the output sit
    1,728 bytes below its 128-channel input; with a unit of one pixel the
    output goes whole pixels below it (or elsewhere)."""
    def bufs(unit):
        inp = Buffer("t1", 4608, 0, 1, offset=4800)
        out = Buffer("t2", 4608, 1, 2, lags={"t1": 1152}, units={"t1": unit})
        return [inp, Buffer("s1", 3072, 1, 1), out]
    loose = plan(bufs(1))
    assert_no_bad_overlap(loose.buffers)
    for unit in (128, 512):
        p = plan(bufs(unit))
        assert_no_bad_overlap(p.buffers)
        off = {b.key: b.offset for b in p.buffers}
        assert off["t2"] + 4608 <= off["t1"] or (off["t1"] - off["t2"]) % unit == 0
