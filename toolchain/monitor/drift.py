"""Drift scores of one window of served inferences against the reference profile, and the alarm rule.

- prediction mix and top-1 confidence: population stability index (PSI) between the window's histogram and the
  reference's, each smoothed with half a count per bin so an empty bin stays finite;
- each input channel: KL divergence KL(window || reference) between Gaussians with the exact means and variances
  of the raw input values (the device keeps exact integer sums; see docs/monitoring.md).

A window drifts when any score passes its threshold; an alarm is raised when K consecutive windows drift, and
re-armed once a window is clean again.
"""

from dataclasses import dataclass, field

import numpy as np

from toolchain.export.field_stats import Stats

PSI_THRESHOLD = 0.25  # the usual reading of PSI: above 0.25, the population has shifted
KL_THRESHOLD = 0.1  # nats; clean held-out windows of 100 samples stay below 0.02 (docs/benchmarks.md)
WINDOW = 100  # served inferences per window
CONSECUTIVE = 3  # windows over a threshold before an alarm
MIN_VARIANCE = 1 / 12  # of a raw integer input: its rounding error


def psi(window: list[int], reference: list[int], smoothing: float = 0.5) -> float:
    w = np.asarray(window, dtype=np.float64) + smoothing
    r = np.asarray(reference, dtype=np.float64) + smoothing
    w, r = w / w.sum(), r / r.sum()
    return float(np.sum((w - r) * np.log(w / r)))


def gaussian_kl(mean_w, var_w, mean_r, var_r) -> np.ndarray:
    """KL(N(mean_w, var_w) || N(mean_r, var_r)) per channel, in nats."""
    vw, vr = np.maximum(var_w, MIN_VARIANCE), np.maximum(var_r, MIN_VARIANCE)
    return 0.5 * (np.log(vr / vw) + (vw + (np.asarray(mean_w) - mean_r) ** 2) / vr - 1.0)


@dataclass
class Thresholds:
    psi: float = PSI_THRESHOLD
    kl: float = KL_THRESHOLD

    def to_dict(self) -> dict:
        return {"class_psi": self.psi, "confidence_psi": self.psi, "channel_kl": self.kl}


def score(window: Stats, profile: dict, thresholds: Thresholds) -> dict:
    """The window's scores, and which of them pass their threshold."""
    ref = Stats(**{k: v for k, v in profile["stats"].items() if k not in ("cost_ticks", "config")})
    per = profile["elements_per_channel"]
    mw, vw = window.moments(per)
    mr, vr = ref.moments(per)
    kl = gaussian_kl(mw, vw, mr, vr)
    s = {"samples": window.count, "class_psi": psi(window.classes, ref.classes),
         "confidence_psi": psi(window.confidence, ref.confidence), "channel_kl": [float(v) for v in kl],
         "low_confidence": window.low / max(window.count, 1),
         "class_mix": [c / max(window.count, 1) for c in window.classes]}
    over = [k for k in ("class_psi", "confidence_psi") if s[k] > thresholds.psi]
    over += [f"channel {c} KL" for c, v in enumerate(kl) if v > thresholds.kl]
    s["over"] = over
    return s


@dataclass
class Alarm:
    """K consecutive drifting windows raise one alarm; a clean window re-arms it."""

    consecutive: int = CONSECUTIVE
    run: int = 0
    raised: list[int] = field(default_factory=list)  # window indices where an alarm was raised

    def update(self, index: int, drifting: bool) -> bool:
        self.run = self.run + 1 if drifting else 0
        if self.run == self.consecutive:
            self.raised.append(index)
            return True
        return False
