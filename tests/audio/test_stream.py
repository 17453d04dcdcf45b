"""The streaming detector's host replay (the same integer decisions as
firmware/frontend/tm_detector.c) on made-up int8 posteriors: summing,
threshold, suppression, the float threshold's integer form, the scoring of
hits, misses and false accepts, and the per-piece output checksums."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolchain.audio import FrontendConfig
import pytest

from toolchain.bench.stream import (Detector, DeviceDetector, inference_frames, int8_posteriors, named, piece_checks,
                                    pieces, replay, score, sweep)
from toolchain.errors import UsageError
from toolchain.evaluate import Quant
from toolchain.device.harness import protocol

LABELS = ["yes", "no", "unknown", "silence"]
SCALE, ZP = 1 / 256, -128  # a softmax's int8 output
CFG = FrontendConfig()


def outputs(spikes: dict[int, int], n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """One inference every 5 frames: silence, except class c for 3 inferences from each spike's inference index."""
    q = np.tile(np.array([-128, -128, -128, 127], np.int8), (n, 1))
    for i, c in spikes.items():
        q[i:i + 3] = -128
        q[i:i + 3, c] = 127
    return inference_frames(CFG.frames - 1 + 5 * n, CFG, 5)[:n], q


def dd(**kw) -> DeviceDetector:
    return DeviceDetector.of(Detector(**kw), LABELS, SCALE, ZP, CFG)


def test_sums_threshold_and_suppression():
    ends, q = outputs({20: 0, 26: 1, 60: 2})
    hits = replay(ends, q, dd(average=2, threshold=0.9, suppress_s=1.0))
    # "yes" once, at its second inference (a mean of 2); suppression (50 hops) hides the "no" 6 inferences
    # (30 hops) later; "unknown" never fires
    assert [(f, k) for f, k, _ in hits] == [(ends[21], 0)] and hits[0][2] == 2 * 255
    assert [k for _, k, _ in replay(ends, q, dd(average=2, threshold=0.9, suppress_s=0.2))] == [0, 1]
    detections = named(hits, LABELS, CFG, SCALE, 2)
    assert detections[0]["label"] == "yes" and detections[0]["score"] == round(255 / 256, 4)
    assert detections[0]["time_s"] == (ends[21] * CFG.hop + CFG.window) / CFG.sample_rate


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-128, 127), min_size=4, max_size=64), st.integers(1, 8), st.floats(0.05, 1.0),
       st.floats(0.001, 0.05), st.integers(-128, 0))
def test_integer_threshold_is_the_mean_posterior_threshold(values, average, threshold, scale, zp):
    """A class fires when the mean of its last `average` dequantized outputs reaches the threshold."""
    q = np.array(values, np.int8).reshape(-1, 1)
    ends = np.arange(len(q)) * 1000  # far apart: no suppression
    d = DeviceDetector.of(Detector(average=average, threshold=threshold), ["yes"], scale, zp, CFG)
    fired = {f for f, _, _ in replay(ends, q, d)}
    for i, e in enumerate(ends):
        window = q[max(0, i - average + 1):i + 1, 0].astype(np.int64) - zp
        mean = scale * window.sum() / average
        if abs(mean - threshold) > 1e-6 * max(threshold, 1e-3):  # exactly on the threshold: float rounding decides
            assert (e in fired) == (mean >= threshold), (i, mean, threshold)


def test_first_of_equal_sums_wins_like_the_device():
    q = np.array([[127, 127, -128, -128]], np.int8)
    assert replay(np.array([48]), q, dd(average=1, threshold=0.5)) == [(48, 0, 255)]


def test_score_hits_misses_false_accepts_and_delay():
    det = Detector(tolerance_s=0.5)
    events = [{"label": "yes", "start_s": 1.0, "end_s": 1.4}, {"label": "no", "start_s": 5.0, "end_s": 5.5}]
    detections = [{"label": "yes", "time_s": 1.5, "score": 1}, {"label": "yes", "time_s": 5.2, "score": 1},
                  {"label": "no", "time_s": 8.0, "score": 1}]
    s = score(detections, events, 3600.0, det)
    assert (s["detected"], s["false_rejects_pct"], s["false_accepts"], s["false_accepts_per_hour"]) == (1, 50.0, 2, 2.0)
    assert abs(s["delay_s_median"] - 0.1) < 1e-9


def test_sweep_trades_false_accepts_for_false_rejects():
    ends, q = outputs({20: 0, 50: 1})
    q[35:38] = [20, -128, -128, -128]  # a weak "yes" (0.58), in no event
    t = lambda i: (ends[i] * CFG.hop + CFG.window) / CFG.sample_rate  # noqa: E731
    events = [{"label": "yes", "start_s": t(19), "end_s": t(21)}, {"label": "no", "start_s": t(49), "end_s": t(51)}]
    rows = sweep(ends, q, dd(average=1), LABELS, CFG, SCALE, events, 3600.0, Detector(average=1), thresholds=[0.5, 0.7])
    assert rows[0]["false_accepts_per_hour"] == 1.0 and rows[1]["false_accepts_per_hour"] == 0.0
    assert rows[0]["false_rejects_pct"] == rows[1]["false_rejects_pct"] == 0.0


def test_pieces_pad_with_silence_and_checks_follow_the_piece_that_completes_an_inference():
    pcm = np.arange(25_000, dtype=np.int16)
    rows = pieces(pcm, 10_000)
    assert rows.shape == (3, 10_000) and (rows.reshape(-1)[:25_000] == pcm).all() and not rows[2, 5000:].any()
    ends = inference_frames(1 + (30_000 - CFG.window) // CFG.hop, CFG, 5)
    q = np.arange(len(ends) * 4, dtype=np.int64).reshape(-1, 4).astype(np.int8)
    checks = piece_checks(ends, q, CFG, 10_000, 3)
    # the first window (49 frames of 20 ms) is complete at sample 15,839: in the second piece
    assert ends[0] * CFG.hop + CFG.window - 1 == 15_839 and checks[0] == protocol.fletcher16(b"")
    owner = (ends * CFG.hop + CFG.window - 1) // 10_000
    assert owner[0] == 1 and checks[1] == protocol.fletcher16(q[owner == 1].tobytes()) != checks[2]


def test_a_16x8_network_is_refused_for_streaming_in_one_line():
    int8_posteriors("keywords", Quant(np.int8, 1 / 256, -128))  # the int8 network streams
    with pytest.raises(UsageError) as err:
        int8_posteriors("keywords", Quant(np.int16, 1 / 32768, 0))
    text = str(err.value)
    assert "outputs int16" in text and "--variant int8" in text and "\n" not in text
