"""`toolchain bench --stream`: streaming keyword detection on the device, fed a
generated recording (toolchain.recipes.data.speech_stream), written to
`build/<model>/<board>/stream.json`.

The device does it all (firmware/frontend/tm_detector.c): one front-end
frame per 20 ms hop into a rolling window of one clip's frames, the network
every `every_hops` hops, int8 posteriors summed over the last `average`
inferences, a threshold, and no new detection for `suppress_s` after one.
The harness loads the recording one clip-sized piece at a time (`db load` +
`stream`); the device answers with its detections and the instructions its
front-end and network spent.

The host replays the same integer detector on the TFLM reference outputs of
the same windows: its detections must equal the device's, and each piece's
output checksum must too, so the threshold sweep (the FAR/FRR curve) that the
host computes from those outputs is the device's. Scored against the
recording's keyword events: false rejects (%), false accepts per hour,
detection delay.
"""

import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from toolchain import boards, build, manifest
from toolchain.boards import runtimes
from toolchain.audio import FrontendConfig, features, frontend_of
from toolchain.bench import device_session, measured_on
from toolchain.build.audio import DETECTOR_SYMBOLS, lut, symbol_bytes
from toolchain.console import console
from toolchain.device.harness import protocol
from toolchain.device.harness.client import DeviceClient, Fault
from toolchain.device.harness.errors import HarnessError, TransportError
from toolchain.errors import UsageError
from toolchain.harness_protocol import LIMITS
from toolchain.evaluate import io_quant, tflm_outputs
from toolchain.paths import STREAM_FILE
from toolchain.pipeline import prepare
from toolchain.recipes.data.speech_stream import VOICES, recording, trained_on

NOT_KEYWORDS = ("unknown", "silence")
MAX_CLASSES = LIMITS.detector_max_classes  # the device's keyword mask is one protocol number
MAX_AVERAGE = LIMITS.detector_max_average
RESTARTS = 2  # a link fault mid-stream starts the stream over, at most this often


@dataclass(frozen=True)
class Detector:
    # chosen on the threshold sweeps of three generated 5-minute streams (docs/benchmarks.md); every 5 hops
    # keeps the front-end plus the amortised network under 1 M instructions per 20 ms hop
    every_hops: int = 5
    average: int = 4
    threshold: float = 0.9
    suppress_s: float = 1.0
    tolerance_s: float = 1.0  # a detection counts for a keyword up to this long after the word ends

    def check(self) -> None:
        if self.every_hops < 1 or not 1 <= self.average <= MAX_AVERAGE:
            raise UsageError(f"the detector needs every_hops >= 1 and average 1 to {MAX_AVERAGE}")
        if not 0 < self.threshold <= 1:
            raise UsageError(f"--threshold {self.threshold} is no posterior", "use a value in (0, 1], e.g. 0.8")


@dataclass(frozen=True)
class DeviceDetector:
    """The detector in the device's integers: sums of (output - zero point) and hops."""
    every_hops: int
    average: int
    threshold: int
    suppress_hops: int
    keyword_mask: int
    zero_point: int

    @classmethod
    def of(cls, det: Detector, labels: list[str], scale: float, zero_point: int, cfg: FrontendConfig):
        mask = sum(1 << c for c, label in enumerate(labels) if label not in NOT_KEYWORDS)
        # mean posterior >= threshold  <=>  sum of (q - zp) over `average` >= threshold * average / scale
        threshold = max(1, math.ceil(round(det.threshold * det.average / scale, 6)))
        return cls(det.every_hops, det.average, threshold, round(det.suppress_s * cfg.sample_rate / cfg.hop), mask,
                   zero_point)

    def command_args(self) -> tuple[int, int, int, int, int]:
        return self.every_hops, self.average, self.threshold, self.suppress_hops, self.keyword_mask


def recipe_detector(model_ref: str, threshold: float | None = None, average: int | None = None) -> Detector:
    """The recipe's `[stream]` settings (a model file without a recipe: the defaults), with the command line's
    threshold and average over them."""
    from toolchain import recipes
    from toolchain.pipeline import is_file_ref

    det = Detector() if is_file_ref(model_ref) else Detector(**recipes.load(model_ref).stream)
    given = {k: v for k, v in (("threshold", threshold), ("average", average)) if v is not None}
    return replace(det, **given)


def refuse_trained_on(model_ref: str, voices: str) -> None:
    """A recording voiced by a synthesizer the recipe trains on is no proxy for unheard voices: refused before
    anything is built."""
    from toolchain import recipes
    from toolchain.pipeline import is_file_ref

    if not is_file_ref(model_ref) and (why := trained_on(voices, recipes.load(model_ref).data.get("args", {}))):
        raise UsageError(f"--voices {voices}: {why}", f"train a copy of the recipe with {voices} = 0 for it, or use "
                         "--voices validation")


def inference_frames(frames: int, cfg: FrontendConfig, every_hops: int) -> np.ndarray:
    """Index of the newest frame of each inference's window."""
    return np.arange(cfg.frames - 1, frames, every_hops)


def host_outputs(pcm: np.ndarray, cfg: FrontendConfig, tflite: Path, arena_bytes: int, table: np.ndarray,
                 every_hops: int) -> tuple[np.ndarray, np.ndarray]:
    """(newest frame of each inference, its int8 outputs) by the firmware's front-end C and TFLM's reference
    kernels, which the device's code matches bit for bit."""
    frames = features(pcm[np.newaxis], cfg)[0]  # frames are independent: the same as one per hop
    ends = inference_frames(len(frames), cfg, every_hops)
    windows = np.stack([table[frames[e - cfg.frames + 1:e + 1].astype(np.int16) + 128] for e in ends])
    return ends, tflm_outputs(Path(tflite).read_bytes(), windows, arena_bytes)


def replay(ends: np.ndarray, outputs: np.ndarray, dd: DeviceDetector) -> list[tuple[int, int, int]]:
    """(frame, class, score) of each detection, as tm_detector.c decides them."""
    p = outputs.astype(np.int32) - dd.zero_point
    c = np.cumsum(np.vstack([np.zeros((1, p.shape[1]), np.int32), p]), axis=0)
    sums = c[1:] - c[np.maximum(np.arange(1, len(p) + 1) - dd.average, 0)]
    keyword = np.array([(dd.keyword_mask >> k) & 1 for k in range(p.shape[1])], bool)
    best = np.argmax(np.where(keyword, sums, np.iinfo(np.int32).min), axis=1)  # the first of equal sums
    hits, last = [], None
    for frame, k, row in zip(ends, best, sums):
        if row[k] >= dd.threshold and (last is None or frame - last >= dd.suppress_hops):
            hits.append((int(frame), int(k), int(row[k])))
            last = frame
    return hits


def named(hits, labels: list[str], cfg: FrontendConfig, scale: float, average: int) -> list[dict]:
    """Detections with their label, time (end of the newest frame) and mean posterior."""
    return [{"label": labels[k], "time_s": (f * cfg.hop + cfg.window) / cfg.sample_rate, "frame": f,
             "score": round(s * scale / average, 4)} for f, k, s in hits]


def match(detections: list[dict], events: list[dict], det: Detector) -> tuple[list[bool], list[int | None]]:
    """(whether each detection hit a keyword, the detection that hit each event or None): each event is hit by
    the first unused detection of its label within [start, end + tolerance]."""
    used = [False] * len(detections)
    hit_by: list[int | None] = []
    for e in events:
        hit_by.append(next((i for i, d in enumerate(detections) if not used[i] and d["label"] == e["label"]
                            and e["start_s"] <= d["time_s"] <= e["end_s"] + det.tolerance_s), None))
        if hit_by[-1] is not None:
            used[hit_by[-1]] = True
    return used, hit_by


def score(detections: list[dict], events: list[dict], duration_s: float, det: Detector) -> dict:
    """Hits as `match` pairs them; every detection left over is a false accept."""
    used, hit_by = match(detections, events, det)
    delays = [detections[i]["time_s"] - e["end_s"] for e, i in zip(events, hit_by) if i is not None]
    misses = len(events) - len(delays)
    false = used.count(False)
    return {"keywords": len(events), "detected": len(delays), "false_rejects_pct": 100 * misses / max(len(events), 1),
            "false_accepts": false, "false_accepts_per_hour": false * 3600 / duration_s,
            "delay_s_median": float(np.median(delays)) if delays else None,
            "delay_s_max": float(np.max(delays)) if delays else None}


def sweep(ends, outputs, dd: DeviceDetector, labels, cfg, scale, events, duration_s, det: Detector,
          thresholds=None) -> list[dict]:
    """The FAR/FRR trade-off: one scored point per threshold, the rest of the detector unchanged."""
    thresholds = np.round(np.arange(0.3, 0.991, 0.025), 3) if thresholds is None else thresholds
    rows = []
    for thr in thresholds:
        d = replace(det, threshold=float(thr))
        di = replace(dd, threshold=DeviceDetector.of(d, labels, scale, dd.zero_point, cfg).threshold)
        s = score(named(replay(ends, outputs, di), labels, cfg, scale, d.average), events, duration_s, d)
        rows.append({"threshold": float(thr), "false_rejects_pct": s["false_rejects_pct"],
                     "false_accepts_per_hour": s["false_accepts_per_hour"]})
    return rows


def pieces(pcm: np.ndarray, samples: int) -> np.ndarray:
    """The recording padded with silence to whole pieces of `samples` (what `db load` takes), one per row."""
    n = -(-len(pcm) // samples) * samples
    return np.concatenate([pcm, np.zeros(n - len(pcm), np.int16)]).reshape(-1, samples)


def piece_checks(ends: np.ndarray, outputs: np.ndarray, cfg: FrontendConfig, samples: int, n: int) -> list[int]:
    """Fletcher-16 of the output bytes of the inferences that each piece completes, as the device sums them."""
    last_sample = ends * cfg.hop + cfg.window - 1  # an inference runs when its newest frame's last sample arrives
    owner = last_sample // samples
    raw = outputs.astype(np.int8)
    return [protocol.fletcher16(raw[owner == i].tobytes()) for i in range(n)]


def on_device(client: DeviceClient, rows: np.ndarray, dd: DeviceDetector, per_tick: float) -> dict:
    """Feeds every piece; the device's detections, output checksums and costs."""
    hits, checks, fe, net = [], [], 0, 0
    shape = client.stream_begin(*dd.command_args())
    timeout = None
    with console.progress("streaming audio through the device's detector", len(rows)) as advance:
        for row in rows:
            started = time.monotonic()
            piece = client.stream_piece(row.astype("<i2").tobytes(), timeout)
            # later pieces do the same work: allow a generous multiple of the first one's time
            timeout = timeout or max(30.0, 20 * (time.monotonic() - started))
            hits += piece.detections
            checks.append(piece.outputs_check)
            fe, net = fe + piece.frontend_ticks, net + piece.network_ticks
            advance()
    frames, inferences = piece.frames, piece.inferences
    return {"hits": [tuple(h) for h in hits], "checks": checks, "frames": frames, "inferences": inferences,
            "window": shape, "frontend_per_hop": round(fe * per_tick / max(frames, 1)),
            "network_per_inference": round(net * per_tick / max(inferences, 1)),
            "per_hop": round((fe + net) * per_tick / max(frames, 1))}


def int8_posteriors(name: str, qout) -> None:
    """The device's detector sums int8 posteriors (firmware/frontend/tm_detector.c): another output type, a
    16x8 network's int16, is refused before anything is built."""
    if np.dtype(qout.dtype) != np.int8:
        raise UsageError(f"{name} outputs {np.dtype(qout.dtype).name}: the streaming detector on the device sums "
                         "int8 posteriors", "stream the int8 model (--variant int8); bench without --stream measures "
                         "this one")


def bench_stream(model_ref: str, board_id: str = "qemu-m4", *, seed: int = 0, minutes: float = 5.0,
                 detector: Detector | None = None, recording_seed: int | None = None, variant: str | None = None,
                 runtime: str | None = None, url: str | None = None, tflm_dir: Path | None = None,
                 kernels: str | None = None, voices: str = "espeak") -> dict:
    """`detector` (default: the recipe's `[stream]` settings, recipe_detector), `recording_seed` (default: `seed`)
    picks another recording for the same model, `voices` who speaks in it (speech_stream.VOICES); the rest as for
    bench."""
    if not 0.1 <= minutes <= 60:
        raise UsageError(f"--minutes {minutes} is out of range", "use 0.1 to 60 minutes of generated audio")
    if voices not in VOICES:
        raise UsageError(f"--voices {voices} is not a voice set", f"use one of: {', '.join(VOICES)}")
    det = detector or recipe_detector(model_ref)
    det.check()
    refuse_trained_on(model_ref, voices)
    board = boards.load(board_id)
    runtimes.for_board(board, runtime)  # a runtime the board cannot take is refused before any training
    p = prepare(model_ref, board.id, seed, variant)  # what the model is, before any firmware is built
    cfg = frontend_of(p.manifest)
    if cfg is None:
        raise UsageError(f"{p.name} is not an audio model: --stream needs a recipe with the speech or wav_folder loader")
    labels = p.manifest["labels"]
    if len(labels) > MAX_CLASSES:
        raise UsageError(f"{p.name} has {len(labels)} classes; the device's detector takes at most {MAX_CLASSES}")
    _, qout = io_quant(Path(p.tflite).read_bytes())
    int8_posteriors(p.name, qout)
    if url and not board.emulated:
        fw = build.flashed(model_ref, board_id, runtime=runtime or board.runtime, seed=seed, variant=variant)
    else:
        fw = build.build(model_ref, board_id, runtime=runtime, seed=seed, variant=variant, tflm_dir=tflm_dir,
                         kernels=kernels)
    dd = DeviceDetector.of(det, labels, qout.scale, qout.zero_point, cfg)
    recording_seed = seed if recording_seed is None else recording_seed
    args = manifest.data_config(p.manifest).get("args", {})
    keywords = tuple(label for label in labels if label not in NOT_KEYWORDS)
    spoken = {k: f"[[{v}]]" for k, v in (args.get("phonemes") or {}).items()}
    pcm, events = recording(recording_seed, minutes, keywords, voices, spoken)
    rows = pieces(pcm, cfg.clip_samples)
    duration = len(pcm) / cfg.sample_rate
    with console.status("replaying the detector on the host (TFLM reference kernels)"):
        ends, outputs = host_outputs(rows.reshape(-1), cfg, p.tflite, p.manifest["arena_bytes"], lut(p.tflite),
                                     det.every_hops)
    host_hits = replay(ends, outputs, dd)
    out = p.dir / STREAM_FILE
    result = {"model": p.name, "board": board_id, "runtime": fw.runtime, "seed": seed,
              "recording_seed": recording_seed, "voices": voices, "minutes": minutes, "status": "running", "error": None,
              "detector": asdict(det), "device_detector": asdict(dd), "measured_on": measured_on(fw.board, fw.elf, url),
              "duration_s": duration, "events": events}
    emulated = fw.board.emulated
    try:
        with device_session(fw.board, fw.elf, url) as (client, _):
            client.expected_hash = fw.model_hash
            for attempt in range(RESTARTS + 1):
                try:
                    client.resync()
                    per_tick = client.calibrate() if emulated and client.info.timer_unit == "ticks" else 1.0
                    dev = on_device(client, rows, dd, per_tick)
                    break
                except Fault as e:
                    if attempt == RESTARTS:
                        raise HarnessError(f"the stream failed {RESTARTS + 1} times, last: {e}",
                                           "check the link to the device and rerun") from e
                    console.warning(f"link fault mid-stream ({e}); starting the stream over")
            unit = "instructions (emulated)" if emulated else client.info.timer_unit
    except (HarnessError, TransportError) as e:
        result.update(status="failed", error=str(e))
        manifest.write_json_atomic(out, result)
        raise
    except (KeyboardInterrupt, SystemExit):  # Ctrl-C, or SIGTERM turned into SystemExit
        result.update(status="interrupted", error="interrupted before the stream ended")
        manifest.write_json_atomic(out, result)
        raise
    detections = named(dev["hits"], labels, cfg, qout.scale, det.average)
    hits, hit_by = match(detections, events, det)  # recorded for the report's timeline
    detections = [{**d, "hit": h} for d, h in zip(detections, hits)]
    result["events"] = [{**e, "detected": i is not None} for e, i in zip(events, hit_by)]
    checks = piece_checks(ends, outputs, cfg, cfg.clip_samples, len(rows))
    mismatched = [i for i, (a, b) in enumerate(zip(dev["checks"], checks)) if a != b]
    result.update({
        "status": "complete", "inferences": dev["inferences"], "frames": dev["frames"],
        **score(detections, events, duration, det),
        "sweep": sweep(ends, outputs, dd, labels, cfg, qout.scale, events, duration, det),
        "decisions": "device: tm_detector.c on the firmware's front-end and network",
        "host_replay": {"identical": dev["hits"] == host_hits and not mismatched and dev["inferences"] == len(ends),
                        "detections": len(host_hits), "pieces_with_other_outputs": mismatched},
        "cost": {"unit": unit, "frontend_per_hop": dev["frontend_per_hop"],
                 "network_per_inference": dev["network_per_inference"], "per_hop": dev["per_hop"],
                 "detector": symbol_bytes(fw.elf, DETECTOR_SYMBOLS) if fw.elf else None},
        "detections": detections})
    manifest.write_json_atomic(out, result)
    return result
