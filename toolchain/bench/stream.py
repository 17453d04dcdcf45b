"""`toolchain bench --stream`: streaming keyword detection on a generated
recording (toolchain.recipes.data.speech_stream), with the model's own
front-end and int8 network, written to `build/<model>/<board>/stream.json`.

As the device does it: one feature frame per hop from the fixed-point
front-end, a rolling window of one clip's frames, the int8 network every
`every_hops` hops, posteriors averaged over the last `average` inferences, a
threshold, and no new detection for `suppress_s` after one. Scored against
the recording's keyword events: false rejects (%), false accepts per hour,
detection delay.

The detector runs on the host with the firmware's front-end C and TFLM's
reference kernels, which the device's AOT code matches bit for bit, so its
decisions are the device's; the harness cannot yet feed a device minutes of
audio (it loads ~8 KB/s), so the device itself is not in this loop.
"""

from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from toolchain import manifest
from toolchain.audio import FrontendConfig, features, frontend_of
from toolchain.build.audio import lut
from toolchain.errors import UsageError
from toolchain.evaluate import io_quant, tflm_outputs
from toolchain.paths import STREAM_FILE
from toolchain.pipeline import prepare
from toolchain.recipes.data.speech_stream import recording

NOT_KEYWORDS = ("unknown", "silence")


@dataclass(frozen=True)
class Detector:
    # chosen on three generated 5-minute streams (docs/benchmarks.md); every 5 hops keeps the
    # front-end plus the amortised network under 1 M instructions per 20 ms hop
    every_hops: int = 5
    average: int = 4
    threshold: float = 0.8
    suppress_s: float = 1.0
    tolerance_s: float = 1.0  # a detection counts for a keyword up to this long after the word ends


def posteriors(pcm: np.ndarray, cfg: FrontendConfig, tflite: Path, arena_bytes: int, table: np.ndarray,
               every_hops: int) -> tuple[np.ndarray, np.ndarray]:
    """(time in s of each inference, dequantized outputs): the window ends at that time."""
    frames = features(pcm[np.newaxis], cfg)[0]  # frames are independent: the same as one per hop
    ends = np.arange(cfg.frames - 1, len(frames), every_hops)
    windows = np.stack([table[frames[e - cfg.frames + 1:e + 1].astype(np.int16) + 128] for e in ends])
    raw = tflm_outputs(Path(tflite).read_bytes(), windows, arena_bytes)
    _, qout = io_quant(Path(tflite).read_bytes())
    times = (ends * cfg.hop + cfg.window) / cfg.sample_rate
    return times, qout.dequantize(raw)


def detect(times: np.ndarray, probs: np.ndarray, labels: list[str], det: Detector) -> list[dict]:
    """Detections (label, time_s, score) from posteriors averaged over the last `average` inferences."""
    keyword = np.array([label not in NOT_KEYWORDS for label in labels])
    kernel = np.ones(det.average) / det.average
    avg = np.stack([np.convolve(probs[:, c], kernel)[:len(probs)] for c in range(probs.shape[1])], axis=1)
    out, last = [], -np.inf
    for t, p in zip(times, avg):
        c = int(np.argmax(np.where(keyword, p, -1)))
        if p[c] >= det.threshold and t - last >= det.suppress_s:
            out.append({"label": labels[c], "time_s": float(t), "score": float(p[c])})
            last = t
    return out


def score(detections: list[dict], events: list[dict], duration_s: float, det: Detector) -> dict:
    """Each event is hit by the first unused detection of its label within [start, end + tolerance];
    every detection left over is a false accept."""
    used = [False] * len(detections)
    delays = []
    for e in events:
        for i, d in enumerate(detections):
            if not used[i] and d["label"] == e["label"] and e["start_s"] <= d["time_s"] <= e["end_s"] + det.tolerance_s:
                used[i] = True
                delays.append(d["time_s"] - e["end_s"])
                break
    misses = len(events) - len(delays)
    false = used.count(False)
    return {"keywords": len(events), "detected": len(delays), "false_rejects_pct": 100 * misses / max(len(events), 1),
            "false_accepts": false, "false_accepts_per_hour": false * 3600 / duration_s,
            "delay_s_median": float(np.median(delays)) if delays else None,
            "delay_s_max": float(np.max(delays)) if delays else None}


def sweep(times, probs, labels, events, duration_s, det: Detector, thresholds=None) -> list[dict]:
    """The FAR/FRR trade-off: one scored point per threshold."""
    thresholds = np.round(np.arange(0.3, 0.96, 0.05), 2) if thresholds is None else thresholds
    rows = []
    for thr in thresholds:
        d = replace(det, threshold=float(thr))
        s = score(detect(times, probs, labels, d), events, duration_s, d)
        rows.append({"threshold": float(thr), "false_rejects_pct": s["false_rejects_pct"],
                     "false_accepts_per_hour": s["false_accepts_per_hour"]})
    return rows


def run(pcm: np.ndarray, events: list[dict], cfg: FrontendConfig, tflite: Path, arena_bytes: int, table: np.ndarray,
        labels: list[str], det: Detector) -> dict:
    """`table`: the network's int8 input for each int8 feature (build.audio.lut)."""
    duration = len(pcm) / cfg.sample_rate
    times, probs = posteriors(pcm, cfg, tflite, arena_bytes, table, det.every_hops)
    detections = detect(times, probs, labels, det)
    return {"detector": asdict(det), "duration_s": duration, "inferences": len(times),
            **score(detections, events, duration, det), "sweep": sweep(times, probs, labels, events, duration, det),
            "events": events, "detections": detections}


def bench_stream(model_ref: str, board_id: str = "qemu-m4", *, seed: int = 0, minutes: float = 5.0,
                 detector: Detector | None = None, recording_seed: int | None = None,
                 variant: str | None = None) -> dict:
    """`recording_seed` (default: `seed`) picks another recording for the same model; `variant` as for bench."""
    if not 0.1 <= minutes <= 60:
        raise UsageError(f"--minutes {minutes} is out of range", "use 0.1 to 60 minutes of generated audio")
    det = detector or Detector()
    if det.every_hops < 1 or det.average < 1:
        raise UsageError("the detector needs every_hops >= 1 and average >= 1")
    if not 0 < det.threshold <= 1:
        raise UsageError(f"--threshold {det.threshold} is no posterior", "use a value in (0, 1], e.g. 0.8")
    p = prepare(model_ref, board_id, seed, variant)
    cfg = frontend_of(p.manifest)
    if cfg is None:
        raise UsageError(f"{p.name} is not an audio model: --stream needs a recipe with the speech or wav_folder loader")
    recording_seed = seed if recording_seed is None else recording_seed
    pcm, events = recording(recording_seed, minutes)
    result = run(pcm, events, cfg, p.tflite, p.manifest["arena_bytes"], lut(p.tflite), p.manifest["labels"],
                 det)
    result = {"model": p.name, "board": board_id, "seed": seed, "recording_seed": recording_seed, "minutes": minutes,
              "decisions": "host: firmware front-end C + TFLM reference int8 kernels (bit-exact with the device)",
              **result}
    manifest.write_json_atomic(p.dir / STREAM_FILE, result)
    return result
