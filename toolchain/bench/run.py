"""One bench run: build, boot, measure latency, memory and accuracy, write bench.json (the package docstring says how)."""

import hashlib
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from toolchain import boards, build, device, manifest, modelinfo, paths, pipeline
from toolchain.bench_file import VERSION, BenchResult
from toolchain.bench import audio, estimates
from toolchain.boards import Board, runtimes
from toolchain.console import console
from toolchain.cycles.errors import EstimateError
from toolchain.device import pi
from toolchain.device.emulate import Emulator, running_url
from toolchain.device.harness import protocol
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.errors import HarnessError, TransportError
from toolchain.device.harness.transports import open_transport
from toolchain.errors import UsageError
from toolchain.evaluate.reference import random_inputs, tflm_outputs
from toolchain.paths import BENCH_FILE, PROFILE_FILE

EMULATED_UNIT = "instructions (emulated)"
MIN_RUNS = 5  # the latency is a median of at least this many timed runs
RANDOM_SAMPLES = 20
SAVE_EVERY = 25


def bench(model_ref: str, board_id: str, *, runtime: str | None = None, seed: int = 0, url: str | None = None,
          runs: int = 5, warmups: int = 1, max_samples: int | None = None, profile: bool = False,
          tflm_dir: Path | None = None, kernels: str | None = None, out_name: str | None = None,
          variant: str | None = None, estimate_for: list[str] | None = None, rate: str | None = None,
          battery: str | None = None, estimate: bool = True) -> BenchResult:
    """`out_name`: the results file beside the manifest (default bench.json, or bench-profile.json).
    `estimate_for`: more boards to estimate cycles, time and energy for (QEMU only); `rate` ("N/min") and
    `battery` add battery life; `estimate=False` leaves the cycle model out."""
    check_counts(runs, max_samples)
    t0 = time.monotonic()
    board = boards.load(board_id)
    if not estimate and (estimate_for or rate or battery):
        raise UsageError("--no-estimate contradicts --estimate-for, --rate and --battery", "drop one or the other")
    wanted = estimates.request(board, estimate_for, rate, battery) if estimate else None
    # a project built with another runtime is measured as it is, not regenerated for the board's default
    runtimes.check_name(runtime)
    runtime = runtime or recorded_runtime(model_ref, board)
    if url and not board.emulated:
        fw = build.flashed(model_ref, board_id, runtime=runtime or board.runtime, seed=seed, variant=variant)
    else:
        fw = build.build(model_ref, board_id, runtime=runtime, seed=seed, profile=profile, tflm_dir=tflm_dir,
                         kernels=kernels, variant=variant)
    p = fw.prepared
    inputs, labels, host = reference_data(p, seed, max_samples)
    if max_samples is not None:
        inputs, labels, host = inputs[:max_samples], None if labels is None else labels[:max_samples], host[:max_samples]
    out = Path(p.dir) / (out_name or (PROFILE_FILE if profile else BENCH_FILE))
    # every run is kept as it is measured; `out` is replaced only by a complete one
    run_file = paths.run_file(p.dir, f"{fw.runtime}{'-profile' if profile else ''}")
    layer_names = [l["op"] if isinstance(l, dict) else str(l) for l in fw.layers]
    # a running `toolchain emulate` is used unless estimates were asked for by name (it has no cycle model)
    asked = wanted is not None and bool(estimate_for or rate)
    if url is None and fw.board.emulated and not asked and (url := running_url(p.dir, fw.elf)):
        console.info(f"using the running emulator at {url}")
    plugin_args, counts_file, note = cycle_model(wanted, fw.elf, p.dir, url)
    where = measured_on(fw.board, fw.elf, url)
    with device_session(fw.board, fw.elf, url, extra_args=plugin_args) as (client, _):
        to_estimate = None if note or not wanted else (
            lambda lat: estimates.timed_runs(counts_file, lat["runs"], lat.get("lap_instructions_per_run"), wanted))
        client.expected_hash = fw.model_hash
        result = measure(client, fw.board, run_file, inputs=inputs, labels=labels, host_outputs=host, runs=runs,
                         warmups=warmups, meta={"model": fw.model, "runtime": fw.runtime, "variant": Path(p.tflite).stem, "firmware": {
                             "elf": fw.elf and str(fw.elf), "tflite_hash": fw.model_hash, "build_seconds": round(fw.build_seconds, 2),
                             "profile": profile, "layers": fw.layers}},
                         static={"flash_bytes": fw.size.flash_bytes, "ram_bytes": fw.size.ram_bytes,
                                 "stack_reserved_bytes": fw.size.stack_reserved_bytes, "arena_bytes": fw.arena_bytes,
                                 "io_bytes": fw.io_bytes},
                         layer_names=layer_names, started=t0, measured_on=where,
                         regression=p.manifest.get("task") == "regression", estimate=to_estimate, estimate_note=note)
    if fw.extra.get("audio") and (split := audio.summary(result["latency"], fw.extra["audio"], fw.elf)):
        result["audio"] = split  # front-end and network apart
        manifest.write_json_atomic(run_file, result)
    manifest.write_json_atomic(out, result)
    if not profile and out_name is None:
        manifest.update(p.dir, bench={k: result[k] for k in ("latency", "memory", "accuracy", "audio") if k in result})
    return result


def recorded_runtime(model_ref: str, board: Board) -> str | None:
    """The runtime of the model's last build for this board, from its manifest."""
    return manifest.read(paths.build_root() / pipeline.model_name(model_ref) / board.id).get("firmware", {}).get("runtime")


def check_counts(runs: int, max_samples: int | None) -> None:
    """Refuse counts that would silently change what is measured, before anything is built."""
    if runs < MIN_RUNS:
        raise UsageError(f"--runs {runs} is too few: the latency is the median of at least {MIN_RUNS} runs",
                         f"pass --runs {MIN_RUNS} or more")
    if max_samples is not None and max_samples < 1:
        raise UsageError(f"--samples {max_samples} would stream no sample", "pass --samples 1 or more, or leave it out for the whole split")


def measured_on(board: Board, program: Path, url: str | None) -> str:
    """Where the latency is measured: only "device" is the board's own time."""
    if board.emulator == "qemu-system-arm":
        return "qemu-system-arm (guest instructions, not time)"
    if board.emulator == "qemu-aarch64" and url is None:
        return pi.measured_on(program)
    return "device"  # a real board's port, or a URL the user points at the target itself


def cycle_model(wanted: estimates.Request | None, elf: Path, directory: Path,
                url: str | None) -> tuple[list[str], Path | None, str | None]:
    """(QEMU's -plugin arguments, the file the plugin writes, why there is no estimate or None)."""
    if wanted is None:
        return [], None, None
    if url is not None:
        return [], None, f"no cycle estimate: the QEMU at {url} was started without the cycle model"
    try:
        args, out = estimates.qemu_args(elf, directory)
    except EstimateError as e:
        return [], None, f"no cycle estimate: {e}"
    return args, out, None


@contextmanager
def device_session(board: Board, elf: Path, url: str | None, extra_args: list[str] | tuple[str, ...] = ()):
    """A connected DeviceClient: to `url` when given, else to a QEMU started (and restarted when it dies) here,
    with `extra_args`."""
    emu = None
    url = url or device.url_for(board, elf)  # a Pi's process, a real board's USB port; None for QEMU
    if url is None:
        emu = Emulator(board, elf, extra_args=tuple(extra_args)).start()
        url = emu.url
    transport = open_transport(url, baud=board.baud)

    def reconnect():
        if emu is not None and not emu.alive():
            emu.restart()
        transport.reopen()

    try:
        client = DeviceClient(transport, reconnect=reconnect)
        yield client, emu
    finally:
        transport.close()
        if emu is not None:
            emu.stop()


def reference_data(p, seed: int, wanted: int | None = None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(int8 inputs, labels or None, host int8 outputs); seeded random inputs for an imported model without data,
    RANDOM_SAMPLES of them or `wanted` when more (the first RANDOM_SAMPLES are the same either way)."""
    if p.test_inputs is not None and p.host_int8_outputs is not None:
        return np.asarray(p.test_inputs), p.test_labels, np.asarray(p.host_int8_outputs).reshape(len(p.test_inputs), -1)
    x = random_inputs(Path(p.tflite), max(RANDOM_SAMPLES, wanted or 0), seed)
    return x, None, tflm_outputs(Path(p.tflite), x, p.manifest.get("arena_bytes"))


def measure(client: DeviceClient, board: Board, out: Path, *, inputs: np.ndarray, labels, host_outputs: np.ndarray,
            runs: int, warmups: int, meta: dict, static: dict, layer_names: list[str] | None = None,
            started: float | None = None, measured_on: str = "device", regression: bool = False,
            estimate=None, estimate_note: str | None = None) -> BenchResult:
    """Drive a connected device through latency, memory and accuracy, saving bench.json after each step.
    `estimate`: turns the latency into bench.json's `estimate` (cycle model); `estimate_note`: why there is none."""
    started = started or time.monotonic()
    result: BenchResult = {"version": VERSION, "board": board.id, **meta, "status": "running", "error": None, "latency": None,
              "memory": None, "accuracy": None, "faults": client.faults}

    def save(status: str = "running") -> None:
        result["status"] = status
        result["wall_seconds"] = round(time.monotonic() - started, 2)
        manifest.write_json_atomic(out, result)

    def save_accuracy(acc: dict) -> None:
        result["accuracy"] = acc
        save()

    try:
        client.resync()
        info = client.info
        samples = [np.ascontiguousarray(x).tobytes() for x in inputs]
        if samples and len(samples[0]) != info.input_bytes:
            raise HarnessError(f"the device expects {info.input_bytes} input bytes, the test data has {len(samples[0])}",
                               "rebuild the firmware for this model")
        result["latency"] = {**latency(client, board, samples[0], runs, warmups, layer_names), "measured_on": measured_on}
        if estimate is not None:
            try:
                result["estimate"] = estimate(result["latency"])
            except EstimateError as e:
                estimate_note = f"no cycle estimate: {e}"
        if estimate_note:
            result["estimate_note"] = estimate_note
            console.warning(estimate_note)
        save()
        result["memory"] = memory(client, board, static)
        save()
        streamed = time.monotonic()
        result["accuracy"] = accuracy(client, samples, labels, host_outputs, save_partial=save_accuracy,
                                      regression=regression)
        # how the inputs went in ("file": QEMU read them by semihosting, "hex": `db` lines) and how fast
        seconds = time.monotonic() - streamed
        result["streaming"] = {"loads": dict(client.loads), "seconds": round(seconds, 2),
                               "samples_per_s": round(len(samples) / seconds, 2) if seconds else None}
        save("complete")
    except (HarnessError, TransportError) as e:
        result["error"] = str(e)
        save("failed")
        raise
    except (KeyboardInterrupt, SystemExit):  # Ctrl-C, or SIGTERM turned into SystemExit
        result["error"] = "interrupted before the bench finished; the results above were measured"
        save("interrupted")
        raise
    return result


def latency(client: DeviceClient, board: Board, sample: bytes, runs: int, warmups: int, layer_names) -> dict:
    emulated = board.emulated and client.info.timer_unit == "ticks"
    per_tick = client.calibrate() if emulated else 1.0
    # one inference first: its wall time sets the deadlines of the timed runs and of every sample after
    client.run_sample(sample)
    inf = client.run_sample(sample, runs=runs, warmups=warmups)
    per_run = [round(t * per_tick) for t in inf.run_ticks]
    lat = {"instructions_median" if emulated else f"{client.info.timer_unit}_median": int(statistics.median(per_run)),
           "runs": len(per_run), "unit": EMULATED_UNIT if emulated else client.info.timer_unit,
           "per_run": per_run, "ticks_median": int(statistics.median(inf.run_ticks)), "units_per_tick": per_tick}
    if emulated and len(inf.laps_us) == 2:
        # virtual microseconds, 1,000 instructions each; they include the input copy before every run
        lat["lap_instructions_per_run"] = round((inf.laps_us[1] - inf.laps_us[0]) * 1000 / runs)
    if inf.layer_ticks:
        names = layer_names or []
        lat["layers"] = [{"index": i, "op": names[i] if i < len(names) else f"layer {i}", "value": round(t * per_tick)}
                         for i, t in enumerate(inf.layer_ticks)]
    return lat


def memory(client: DeviceClient, board: Board, static: dict) -> dict:
    """Sizes in bytes; None where the target cannot tell: every program uses some stack and static RAM, so a 0
    from the device or the build means "not measured" (Linux and Arduino ports, LiteRT's own arena)."""
    mem = client.mem()
    measured = {**static, "arena_bytes": mem.get("arena", static.get("arena_bytes")), "stack_bytes": mem.get("stack-used")}
    # io_bytes 0 is a measurement: TFLM keeps the model's input and output inside its arena
    return {**{k: v or None for k, v in measured.items()}, "io_bytes": static.get("io_bytes", 0),
            "board_flash_bytes": board.flash_bytes, "board_ram_bytes": board.ram_bytes}


def accuracy(client: DeviceClient, samples: list[bytes], labels, host_outputs: np.ndarray, save_partial,
             regression: bool = False) -> dict:
    info = client.info
    quant = (info.output_scale, info.output_zero_point) if regression else None
    n = len(samples)
    device_q = np.zeros((n, info.output_count), dtype=np.int32)
    host_q = np.asarray(host_outputs).reshape(n, -1).astype(np.int32)
    acc = {}
    done = 0
    with console.progress("streaming samples through the device", n) as advance:
        try:
            for i, s in enumerate(samples):
                inf = client.run_sample(s)
                device_q[i] = np.frombuffer(protocol.raw_outputs(inf.results, info.output_scale, info.output_zero_point,
                                                                 info.output_dtype), dtype=modelinfo.DTYPES[info.output_dtype].numpy)
                done = i + 1
                advance()
                if done % SAVE_EVERY == 0 or done == n:
                    acc = summarize(device_q[:done], host_q[:done], None if labels is None else labels[:done], quant)
                    save_partial(acc)
        finally:
            if done and done < n:
                save_partial(summarize(device_q[:done], host_q[:done], None if labels is None else labels[:done], quant))
    return acc


def summarize(device_q: np.ndarray, host_q: np.ndarray, labels, regression: tuple[float, int] | None = None) -> dict:
    """Agreement with the host int8 outputs, and accuracy against the labels, or mean absolute error when
    `regression` is the output's (scale, zero point)."""
    n = len(device_q)
    acc = {"samples": n, "agreement": float(np.mean(np.all(device_q == host_q, axis=1))),
           "max_abs_diff": int(np.max(np.abs(device_q - host_q))) if n else 0, "device": None, "host_int8": None,
           # per sample, so two runtimes' outputs can be compared without keeping them all
           "output_digests": [hashlib.sha256(row.astype("<i4").tobytes()).hexdigest()[:12] for row in device_q]}
    if device_q.shape[1] > 1:  # top-1 means nothing for a single output
        acc["top1_agreement"] = float(np.mean(device_q.argmax(1) == host_q.argmax(1)))
    if labels is None:
        return acc
    y = np.asarray(labels).reshape(n, -1)
    if regression:
        scale, zero_point = regression
        acc["mae_device"] = float(np.mean(np.abs((device_q[:, :1] - zero_point) * scale - y)))
        acc["mae_host_int8"] = float(np.mean(np.abs((host_q[:, :1] - zero_point) * scale - y)))
    else:
        acc["device"] = float(np.mean(device_q.argmax(1) == y[:, 0]))
        acc["host_int8"] = float(np.mean(host_q.argmax(1) == y[:, 0]))
        # per sample, for the confusion matrices and per-class figures of the report
        acc["predictions"] = {"device": device_q.argmax(1).tolist(), "host_int8": host_q.argmax(1).tolist(),
                              "label": y[:, 0].astype(int).tolist()}
    return acc
