"""The host twin of the device's field statistics (firmware/harness/tm_stats.c): the same counters and
integer sums from the same int8 inputs and outputs, so a device's `stats%` and the host agree exactly.

Also the reference profile (the statistics of the training split, written into manifest.json at export) and
the build defines that size the device's statistics from it.
"""

from dataclasses import asdict, dataclass, field

import numpy as np

from toolchain.harness_protocol import LIMITS

BINS = LIMITS.stats_bins  # top-1 confidence histogram over [0, 1]
LOW_CONFIDENCE = 0.5  # default threshold of the low-confidence counter
MAX_CHANNELS = 32  # keeps the device's statistics under 1 KB; wider inputs are pooled into one channel
MAX_CLASSES = 64
VERSION = 1  # of the profile's layout: a change recomputes profiles at the next export


@dataclass
class Stats:
    count: int
    classes: list[int]
    confidence: list[int]
    low: int
    sum: list[int]
    sumsq: list[int]
    cost_ticks: int | None = None  # device only: timer ticks of its last update
    config: dict = field(default_factory=dict)

    def minus(self, earlier: "Stats") -> "Stats":
        """The statistics of what was served between `earlier` and this snapshot."""
        sub = lambda a, b: [x - y for x, y in zip(a, b)]  # noqa: E731
        return Stats(self.count - earlier.count, sub(self.classes, earlier.classes),
                     sub(self.confidence, earlier.confidence), self.low - earlier.low, sub(self.sum, earlier.sum),
                     sub(self.sumsq, earlier.sumsq), self.cost_ticks, self.config)

    def moments(self, elements_per_channel: int) -> tuple[np.ndarray, np.ndarray]:
        """Per channel (mean, variance) of the raw input values, from the exact integer sums."""
        n = max(self.count * elements_per_channel, 1)
        s, q = np.asarray(self.sum, dtype=np.float64), np.asarray(self.sumsq, dtype=np.float64)
        mean = s / n
        return mean, np.maximum(q / n - mean**2, 0.0)

    def to_dict(self) -> dict:
        return asdict(self)


def channels_of(input_shape) -> int:
    """Input channels: the innermost axis of a sample with at least two axes, else one."""
    shape = [int(d) for d in input_shape]
    sample = shape[1:] if len(shape) > 1 else shape
    c = sample[-1] if len(sample) >= 2 else 1
    return c if c <= MAX_CHANNELS else 1


def top1(outputs: np.ndarray, scale: float, zero_point: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """(top-1 index, its confidence as float32) per row, with the device's float32 operations."""
    raw = np.asarray(outputs).reshape(len(outputs), -1)
    idx = raw.argmax(1)
    top = raw[np.arange(len(raw)), idx]
    if dtype == "float32" or not scale:
        return idx, top.astype(np.float32)
    return idx, (top.astype(np.int32) - np.int32(zero_point)).astype(np.float32) * np.float32(scale)


def compute(inputs: np.ndarray, outputs: np.ndarray, *, scale: float, zero_point: int, output_dtype: str,
            channels: int, classes: int, low_confidence: float = LOW_CONFIDENCE) -> Stats:
    """What the device accumulates over serving `inputs` (raw, as loaded) with raw `outputs`."""
    n = len(inputs)
    idx, conf = top1(outputs, scale, zero_point, output_dtype)
    cls = np.bincount(np.minimum(idx, classes - 1), minlength=classes)
    scaled = conf * np.float32(BINS)
    bins = np.clip(np.floor(scaled), 0, BINS - 1).astype(np.int64)
    hist = np.bincount(bins, minlength=BINS)
    low = int(np.sum(conf < np.float32(low_confidence)))
    x = np.asarray(inputs).reshape(n, -1)
    if x.dtype.kind == "f":  # the device keeps no moments of float inputs
        s = q = [0] * channels
    else:
        x = (x >> 8 if x.dtype == np.int16 else x).astype(np.int64)
        per = x.reshape(n, -1, channels) if n else x.reshape(0, 1, channels)
        s = per.sum(axis=(0, 1)).tolist()
        q = (per * per).sum(axis=(0, 1)).tolist()
    return Stats(n, cls.tolist(), hist.tolist(), low, [int(v) for v in s], [int(v) for v in q])


def parse(fields: dict[str, str]) -> Stats:
    """A `stats%` reply's fields -> Stats; KeyError/ValueError when one is missing or malformed."""
    ints = lambda k: [int(v) for v in fields[k].split(",")] if fields[k] else []  # noqa: E731
    ch, cl, bins, low = fields["stats-config"].split(",")
    config = {"channels": int(ch), "classes": int(cl), "bins": int(bins), "low_confidence": float(low)}
    return Stats(ints("stats-count")[0], ints("stats-classes"), ints("stats-conf"), ints("stats-low")[0],
                 ints("stats-sum"), ints("stats-sumsq"), ints("stats-cost")[0], config)


def reference_profile(inputs: np.ndarray, outputs: np.ndarray, *, input_shape, scale: float, zero_point: int,
                      output_dtype: str, output_count: int, split: str, low_confidence: float = LOW_CONFIDENCE) -> dict:
    """The manifest's `monitor_profile`: the statistics of `split` and how the device must be built to match."""
    channels = channels_of(input_shape)
    classes = min(output_count, MAX_CLASSES)
    st = compute(inputs, outputs, scale=scale, zero_point=zero_point, output_dtype=output_dtype, channels=channels,
                 classes=classes, low_confidence=low_confidence)
    per_sample = int(np.prod([int(d) for d in input_shape][1:])) if len(input_shape) > 1 else 1
    return {"version": VERSION, "split": split, "channels": channels, "classes": classes, "bins": BINS,
            "low_confidence": low_confidence, "elements_per_channel": per_sample // channels,
            "stats": st.to_dict()}


def build_defines(profile: dict | None) -> list[str]:
    """The device's statistics sized like the profile (defaults of tm_stats.c without one)."""
    if not profile:
        return []
    return [f"TM_STATS_CHANNELS={profile['channels']}", f"TM_STATS_CLASSES={profile['classes']}",
            f"TM_STATS_LOW_CONFIDENCE={float(profile['low_confidence'])!r}f"]
