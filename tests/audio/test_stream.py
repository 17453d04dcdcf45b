"""Streaming detection logic on made-up posteriors: averaging, threshold,
suppression, and the scoring of hits, misses and false accepts."""

import numpy as np

from toolchain.bench.stream import Detector, detect, score, sweep

LABELS = ["yes", "no", "unknown", "silence"]


def posteriors(spikes: dict[float, int], seconds: float = 10.0, step: float = 0.1):
    """Inferences every `step` s: silence, except class c for 0.3 s from each spike time."""
    times = np.arange(0, seconds, step) + step
    probs = np.tile([0.0, 0.0, 0.0, 1.0], (len(times), 1))
    for t0, c in spikes.items():
        on = (times >= t0) & (times < t0 + 0.3)
        probs[on] = np.eye(4)[c]
    return times, probs


def test_average_threshold_and_suppression():
    times, probs = posteriors({2.0: 0, 2.6: 1, 6.0: 2})
    got = detect(times, probs, LABELS, Detector(average=2, threshold=0.9, suppress_s=1.0))
    # "yes" once (suppression hides its later frames and the "no" 0.6 s later); "unknown" is never reported
    assert [d["label"] for d in got] == ["yes"] and abs(got[0]["time_s"] - 2.1) < 1e-9
    assert len(detect(times, probs, LABELS, Detector(average=2, threshold=0.9, suppress_s=0.2))) == 2


def test_score_hits_misses_false_accepts_and_delay():
    det = Detector(tolerance_s=0.5)
    events = [{"label": "yes", "start_s": 1.0, "end_s": 1.4}, {"label": "no", "start_s": 5.0, "end_s": 5.5}]
    detections = [{"label": "yes", "time_s": 1.5, "score": 1}, {"label": "yes", "time_s": 5.2, "score": 1},
                  {"label": "no", "time_s": 8.0, "score": 1}]
    s = score(detections, events, 3600.0, det)
    assert (s["detected"], s["false_rejects_pct"], s["false_accepts"], s["false_accepts_per_hour"]) == (1, 50.0, 2, 2.0)
    assert abs(s["delay_s_median"] - 0.1) < 1e-9


def test_sweep_trades_false_accepts_for_false_rejects():
    times, probs = posteriors({2.0: 0, 5.0: 1})
    probs[30:33] = [0.6, 0.0, 0.0, 0.4]  # a weak "yes" at 3.1 s, in no event
    events = [{"label": "yes", "start_s": 1.8, "end_s": 2.2}, {"label": "no", "start_s": 4.8, "end_s": 5.2}]
    rows = sweep(times, probs, LABELS, events, 10.0, Detector(average=1), thresholds=[0.5, 0.7])
    assert rows[0]["false_accepts_per_hour"] == 360.0 and rows[1]["false_accepts_per_hour"] == 0.0
    assert rows[0]["false_rejects_pct"] == rows[1]["false_rejects_pct"] == 0.0
