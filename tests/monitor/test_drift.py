"""Drift scores, the alarm rule and the scenarios' shifts (toolchain/monitor/drift.py, scenarios.py)."""

import numpy as np
import pytest

from toolchain.export import field_stats as stats
from toolchain.monitor import drift, scenarios
from toolchain.monitor.errors import MonitorError


def test_psi_and_kl_are_zero_for_the_reference_itself_and_grow_with_the_shift():
    assert drift.psi([10, 20, 30], [10, 20, 30]) == pytest.approx(0)
    assert drift.psi([30, 20, 10], [10, 20, 30]) > drift.psi([12, 20, 28], [10, 20, 30]) > 0
    assert drift.gaussian_kl([0.0], [4.0], [0.0], [4.0])[0] == pytest.approx(0)
    # KL(N(m, s^2) || N(0, s^2)) = m^2 / (2 s^2)
    assert drift.gaussian_kl([1.0], [4.0], [0.0], [4.0])[0] == pytest.approx(1 / 8)


def test_an_alarm_needs_k_consecutive_windows_and_rearms_after_a_clean_one():
    a = drift.Alarm(3)
    raised = [a.update(i, d) for i, d in enumerate([1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1])]
    assert [i for i, r in enumerate(raised) if r] == [5, 10] and a.raised == [5, 10]


def _profile(x, y, channels):
    return stats.reference_profile(x, y, input_shape=(1, *x.shape[1:]), scale=1 / 256, zero_point=-128,
                                   output_dtype="int8", output_count=y.shape[1], split="train")


def test_a_window_like_the_reference_is_clean_and_an_offset_channel_drifts():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 20, (400, 50, 3)).round().astype(np.int8)
    y = rng.integers(-128, 128, (400, 4)).astype(np.int8)
    profile = _profile(x, y, 3)
    kw = dict(scale=1 / 256, zero_point=-128, output_dtype="int8", channels=3, classes=4)
    clean = drift.score(stats.compute(x[:100], y[:100], **kw), profile, drift.Thresholds())
    assert clean["over"] == []
    std = np.sqrt(stats.Stats(**profile["stats"]).moments(50)[1])
    moved = scenarios.shift(x[:100], "offset", std=std, zero_point=0, rng=rng)
    s = drift.score(stats.compute(moved, y[:100], **kw), profile, drift.Thresholds())
    assert s["over"] == ["channel 0 KL"] and s["channel_kl"][0] == pytest.approx(0.5, abs=0.1)


def test_scenarios_shift_what_they_say():
    rng = np.random.default_rng(0)
    x = rng.integers(-50, 50, (20, 8, 8, 1)).astype(np.int8)
    std = np.array([10.0])
    assert np.array_equal(scenarios.shift(x, None, std=std, zero_point=0, rng=rng), x)
    assert np.array_equal(scenarios.shift(x, "brightness", std=std, zero_point=0, rng=rng), x + 10)
    assert np.array_equal(scenarios.shift(x, "gain", std=std, zero_point=-128,
                                          rng=rng), np.clip(np.round((x.astype(float) + 128) * 1.5 - 128), -128, 127))
    rotated = scenarios.shift(x, "rotate", std=std, zero_point=0, rng=rng)
    assert rotated.shape == x.shape and not np.array_equal(rotated, x)
    assert scenarios.shift(x, "noise", std=std, zero_point=0, rng=rng).astype(float).std() > x.astype(float).std()


def test_rotation_of_a_signal_and_an_unknown_drift_are_refused():
    with pytest.raises(MonitorError, match="image inputs"):
        scenarios.check("rotate", (100, 6))
    with pytest.raises(MonitorError, match="use one of"):
        scenarios.check("fog", (8, 8, 1))


def test_the_stream_visits_every_sample_once_per_pass():
    order = scenarios.stream(np.zeros(10), 25, seed=0)
    assert len(order) == 25 and sorted(order[:10]) == list(range(10)) and sorted(order[10:20]) == list(range(10))
