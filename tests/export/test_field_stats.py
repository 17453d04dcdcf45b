"""The host twin of the device's statistics (toolchain/export/field_stats.py), by hand-computed values."""

import numpy as np

from toolchain.export import field_stats as stats


def test_counts_histogram_and_exact_sums_by_hand():
    x = np.array([[[1, -2], [3, 4]], [[-128, 127], [0, 5]]], dtype=np.int8)  # 2 samples, 2 positions, 2 channels
    # softmax-like int8 output, scale 1/256, zero point -128: raw 127 -> 255/256, raw -1 -> 127/256
    y = np.array([[-128, 127, -128], [-1, -128, -2]], dtype=np.int8)
    s = stats.compute(x, y, scale=1 / 256, zero_point=-128, output_dtype="int8", channels=2, classes=3)
    assert (s.count, s.classes, s.low) == (2, [1, 1, 0], 1)
    assert s.confidence[15] == 1 and s.confidence[7] == 1 and sum(s.confidence) == 2  # 127/256 * 16 = 7.94
    assert s.sum == [1 + 3 - 128 + 0, -2 + 4 + 127 + 5]
    assert s.sumsq == [1 + 9 + 128**2, 4 + 16 + 127**2 + 25]
    mean, var = s.moments(2)
    assert np.allclose(mean, np.mean(x.reshape(-1, 2).astype(float), axis=0))
    assert np.allclose(var, np.var(x.reshape(-1, 2).astype(float), axis=0))


def test_a_window_is_the_difference_of_two_snapshots():
    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, (30, 8, 3)).astype(np.int8)
    y = rng.integers(-128, 128, (30, 4)).astype(np.int8)
    kw = dict(scale=0.5, zero_point=0, output_dtype="int8", channels=3, classes=4)
    whole, head, tail = stats.compute(x, y, **kw), stats.compute(x[:10], y[:10], **kw), stats.compute(x[10:], y[10:], **kw)
    assert whole.minus(head).to_dict() == tail.to_dict()


def test_parse_a_stats_reply():
    fields = {"stats-config": "2,3,16,5.00000000e-1", "stats-count": "4", "stats-classes": "1,2,1",
              "stats-conf": ",".join(["0"] * 15 + ["4"]), "stats-low": "0", "stats-sum": "-12,300",
              "stats-sumsq": "99,123456789012", "stats-cost": "19"}
    s = stats.parse(fields)
    assert (s.count, s.classes, s.sum, s.sumsq, s.cost_ticks) == (4, [1, 2, 1], [-12, 300], [99, 123456789012], 19)
    assert s.config == {"channels": 2, "classes": 3, "bins": 16, "low_confidence": 0.5}


def test_channels_are_the_innermost_axis():
    assert stats.channels_of((1, 8, 8, 1)) == 1
    assert stats.channels_of((1, 100, 6)) == 6
    assert stats.channels_of((1, 1)) == 1
    assert stats.channels_of((1, 10, 490)) == 1  # too wide for 1 KB: pooled


def test_build_defines_follow_the_profile():
    profile = {"channels": 6, "classes": 4, "low_confidence": 0.6}
    assert stats.build_defines(profile) == ["TM_STATS_CHANNELS=6", "TM_STATS_CLASSES=4", "TM_STATS_LOW_CONFIDENCE=0.6f"]
    assert stats.build_defines(None) == []
