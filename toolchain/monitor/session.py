"""`toolchain monitor`: attach to a device running the harness, poll `stats%` once per window, score the
window against the reference profile, raise alarms, and write monitor.json beside bench.json as it goes.

With `feed="split"` the held-out split is streamed into the device (shifted by `drift` from sample
`drift_after` on), so the whole loop runs without hardware; the host then also checks that the device's
statistics equal its own twin's over the same samples, and that clean samples' outputs agree with the host int8
reference (monitoring never changes outputs).
"""

import time
from pathlib import Path

import numpy as np

from toolchain import boards, build, manifest, modelinfo, pipeline
from toolchain.bench import device_session, recorded_runtime
from toolchain.boards import runtimes
from toolchain.device.emulate import running_url
from toolchain.device.harness import protocol
from toolchain.device.harness.client import DeviceClient
from toolchain.errors import UsageError
from toolchain.export import field_stats as stats
from toolchain.monitor import drift as scoring, scenarios
from toolchain.monitor.errors import MonitorError
from toolchain.paths import MONITOR_FILE

FEEDS = ("split",)
FEED_SAMPLES = 1000
POLL_SECONDS = 1.0


def monitor(model_ref: str, board_id: str, *, runtime: str | None = None, url: str | None = None,
            feed: str | None = None, drift: str | None = None, drift_after: int = 0, samples: int = FEED_SAMPLES,
            window: int = scoring.WINDOW, consecutive: int = scoring.CONSECUTIVE, duration: float | None = None,
            seed: int = 0, thresholds: scoring.Thresholds | None = None, view=None) -> dict:
    """Monitor `model_ref` on `board_id`; returns what monitor.json holds. `view`: gets start(result),
    window(record, alarm) and finish(result) calls (the live terminal view)."""
    check_options(feed, drift, samples, window, consecutive)
    board = boards.load(board_id)
    profile = pipeline.prepare(model_ref, board.id, seed).manifest.get("monitor_profile")
    if not profile:  # checked before any firmware is built
        raise MonitorError(f"{pipeline.model_name(model_ref)} has no reference profile for field monitoring (an "
                           "imported .tflite comes without training data)", "monitor a model trained from a recipe, "
                           f"or re-export it: `toolchain export --model {model_ref}`")
    runtimes.check_name(runtime)
    runtime = runtime or recorded_runtime(model_ref, board)
    if url and not board.emulated:
        fw = build.flashed(model_ref, board_id, runtime=runtime or board.runtime, seed=seed)
    else:
        fw = build.build(model_ref, board_id, runtime=runtime, seed=seed)
    p = fw.prepared
    if url is None and board.emulated:
        url = running_url(p.dir, fw.elf)
        if url is None and feed is None:
            raise UsageError(f"no emulator is running {p.name} on {board.id}, and one started here would serve "
                             "nothing", f"start it with `toolchain emulate --board {board.id} --model {model_ref}` and "
                             "pass its --port, or stream the held-out split with --feed split")
    data = None
    if feed:
        if p.test_inputs is None:
            raise MonitorError(f"{p.name} has no held-out split to feed", "use a model trained from a recipe")
        scenarios.check(drift, tuple(np.asarray(p.test_inputs).shape[1:]))
        data = (np.asarray(p.test_inputs), np.asarray(p.host_int8_outputs).reshape(len(p.test_inputs), -1))
    thresholds = thresholds or scoring.Thresholds()
    out = Path(p.dir) / MONITOR_FILE
    result = {"model": fw.model, "board": board.id, "runtime": fw.runtime, "feed": feed, "drift": drift,
              "drift_after": drift_after if drift else None, "window": window, "consecutive": consecutive,
              "thresholds": thresholds.to_dict(), "profile_split": profile["split"], "status": "running",
              "windows": [], "alarms": [], "first_alarm_sample": None, "device_cost_ticks": None}
    with device_session(board, fw.elf, url) as (client, _):
        client.expected_hash = fw.model_hash
        client.resync()
        first = read_stats(client)
        check_config(first, profile, board.id, model_ref)
        if feed:
            client.stats_reset()
            first = read_stats(client)
        if view:
            view.start(result)
        try:
            check: dict = {}
            loop = _feed_windows(client, data, drift, drift_after, samples, window, profile, seed, check) if feed \
                else _poll_windows(client, window, duration)
            run(loop, first, profile, thresholds, consecutive, result, out, view)
            result["status"] = "complete"
            result["check"] = check or None
        except KeyboardInterrupt:
            result["status"] = "stopped"
        result["faults"] = client.faults
        manifest.write_json_atomic(out, result)
    if view:
        view.finish(result)
    return result


def check_options(feed, drift, samples, window, consecutive) -> None:
    if feed is not None and feed not in FEEDS:
        raise UsageError(f"unknown --feed '{feed}'", f"use one of: {', '.join(FEEDS)}")
    if drift is not None and feed is None:
        raise UsageError("--drift shifts the fed samples, but nothing is fed", "add --feed split")
    scenarios.check(drift, (1, 1, 1))
    if window < 10 or consecutive < 1 or samples < window:
        raise UsageError(f"--window {window}, --windows {consecutive} and --samples {samples} leave nothing to score",
                         "use a window of at least 10 samples, --windows 1 or more and --samples >= the window")


def read_stats(client: DeviceClient) -> stats.Stats:
    r = client.stats()
    if r.errors:
        raise MonitorError(f"the firmware on {client.transport.url} keeps no field statistics ({r.errors[0]})",
                           "rebuild it with statistics on (the default; -DTM_STATS=0 turns them off) with "
                           "`toolchain build`, then restart or flash it")
    try:
        return stats.parse(r.fields)
    except (KeyError, ValueError) as e:
        raise MonitorError(f"malformed stats% reply from {client.transport.url} ({e})",
                           "check the firmware and the link; rerun") from e


def check_config(s: stats.Stats, profile: dict, board: str, model_ref: str) -> None:
    want = {"channels": profile["channels"], "classes": profile["classes"], "bins": profile["bins"]}
    got = {k: s.config.get(k) for k in want}
    if got != want:
        raise MonitorError(f"the device's statistics ({got}) are not shaped like the reference profile ({want})",
                           f"rebuild the firmware: `toolchain build --board {board} --model {model_ref}`")


def run(loop, first: stats.Stats, profile: dict, thresholds, consecutive: int, result: dict, out: Path, view) -> None:
    """Score each window the loop yields: (snapshot, seconds, extra fields)."""
    alarm = scoring.Alarm(consecutive)
    prev, total = first, 0
    for snap, seconds, extra in loop:
        win = snap.minus(prev)
        prev = snap
        total += win.count
        rec = {"index": len(result["windows"]), "end_sample": total, "per_second": win.count / max(seconds, 1e-9),
               **scoring.score(win, profile, thresholds), **extra}
        raised = alarm.update(rec["index"], bool(rec["over"]))
        rec["alarm"] = raised
        result["windows"].append(rec)
        result["device_cost_ticks"] = snap.cost_ticks
        if raised:
            result["alarms"].append({"window": rec["index"], "sample": total, "over": rec["over"]})
            if result["first_alarm_sample"] is None:
                result["first_alarm_sample"] = total
        manifest.write_json_atomic(out, result)
        if view:
            view.window(rec, raised)


def _poll_windows(client: DeviceClient, window: int, duration: float | None):
    """Poll until at least `window` new inferences were served, for `duration` seconds (else until Ctrl-C)."""
    start = last_t = time.monotonic()
    last = read_stats(client)
    while duration is None or time.monotonic() - start < duration:
        time.sleep(POLL_SECONDS)
        snap = read_stats(client)
        if snap.count - last.count >= window:
            now = time.monotonic()
            yield snap, now - last_t, {}
            last, last_t = snap, now


def _feed_windows(client: DeviceClient, data, drift, drift_after: int, samples: int, window: int, profile: dict,
                  seed: int, check: dict):
    """Stream `samples` held-out samples (shifted by `drift` from `drift_after` on) one window at a time; after
    the last window, `check` gets the comparison of the device's statistics with the host twin's over the same
    samples, and the agreement of clean samples' outputs with the host int8 reference."""
    x, host_out = data
    info = client.info
    order = scenarios.stream(x, samples, seed)
    rng = np.random.default_rng(seed + 1)
    mean, var = stats.Stats(**{k: v for k, v in profile["stats"].items() if k not in ("cost_ticks", "config")}) \
        .moments(profile["elements_per_channel"])
    fed_in, fed_out, agree = [], [], []
    for start in range(0, samples - window + 1, window):
        t0 = time.monotonic()
        idx = order[start:start + window]
        batch = x[idx]
        shifted = np.arange(start, start + window) >= drift_after if drift else np.zeros(window, bool)
        if shifted.any():
            batch = batch.copy()
            batch[shifted] = scenarios.shift(batch[shifted], drift, std=np.sqrt(var), zero_point=info.input_zero_point,
                                             rng=rng)
        outs = feed(client, batch)
        fed_in.append(batch)
        fed_out.append(outs)
        clean = ~shifted
        agree.extend(np.all(outs[clean] == host_out[idx][clean], axis=1).tolist())
        snap = read_stats(client)
        yield snap, time.monotonic() - t0, {"shifted": int(shifted.sum())}
    xs, ys = np.concatenate(fed_in), np.concatenate(fed_out)
    twin = stats.compute(xs, ys, scale=info.output_scale, zero_point=info.output_zero_point,
                         output_dtype=info.output_dtype, channels=profile["channels"], classes=profile["classes"],
                         low_confidence=profile["low_confidence"])
    # a chunk re-sent after a link fault was partly served twice: the totals can no longer be compared
    check.update(device_equals_host=None if client.faults else _same(snap, twin), device=snap.to_dict(),
                 host=twin.to_dict(),
                 clean_agreement=float(np.mean(agree)) if agree else None, clean_samples=len(agree))


def _same(device: stats.Stats, host: stats.Stats) -> bool:
    return all(getattr(device, k) == getattr(host, k) for k in ("count", "classes", "confidence", "low", "sum", "sumsq"))


def feed(client: DeviceClient, batch: np.ndarray) -> np.ndarray:
    """Load and infer every sample of `batch`, several per round trip (the client's run_samples: its deadlines,
    its checksums); the device's raw outputs."""
    info = client.info
    dtype = modelinfo.DTYPES[info.output_dtype].numpy
    done = client.run_samples([np.ascontiguousarray(s).tobytes() for s in batch], "feeding samples")
    return np.stack([np.frombuffer(protocol.raw_outputs(inf.results, info.output_scale, info.output_zero_point,
                                                        info.output_dtype), dtype=dtype).astype(np.int64)
                     for inf in done])
