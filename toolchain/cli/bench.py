"""`toolchain bench`."""

import json
import signal

import typer

from toolchain.cli import options
from toolchain.cli.build import RUNTIME
from toolchain.cli.console import console
from toolchain.cli.signals import exit_on


def bench_cmd(
    board: str = typer.Option("qemu-m4", "--board", "-b", help="Board id (see `toolchain boards`)."),
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    port: str = typer.Option(None, "--port", help="Device URL: /dev/ttyACM0, socket://HOST:PORT or process://COMMAND (default: start QEMU, find the board by its USB ids, or run the Pi program)."),
    runs: int = typer.Option(5, "--runs", help="Timed runs for the latency median (at least 5)."),
    samples: int = typer.Option(None, "--samples", help="Stream only the first N held-out samples."),
    profile: bool = typer.Option(False, "--profile", help="Also time every layer."),
    stream: bool = typer.Option(False, "--stream", help="Audio models: streaming detection on a generated recording (stream.json)."),
    minutes: float = typer.Option(5.0, "--minutes", help="With --stream: length of the generated recording."),
    threshold: float = typer.Option(0.8, "--threshold", help="With --stream: detection threshold on averaged posteriors."),
    recording_seed: int = typer.Option(None, "--recording-seed", help="With --stream: seed of the generated recording (default: --seed)."),
    as_json: bool = options.JSON,
) -> None:
    """Measure latency, memory and on-device accuracy through the serial harness."""
    if stream:
        return _stream(model, board, seed, minutes, threshold, recording_seed, as_json)
    from toolchain.bench import BENCH_FILE, PROFILE_FILE, bench
    from toolchain.report import summary_rows

    exit_on(signal.SIGTERM, signal.SIGHUP)  # partial results are saved as "interrupted"
    r = bench(model, board, runtime=runtime, seed=seed, url=port, runs=runs, max_samples=samples, profile=profile)
    if as_json:
        console.out.print_json(json.dumps(r, default=str))
        return
    console.table(f"{r['model']} on {r['board']} ({r['runtime']})", ["", "value"], [list(row) for row in summary_rows(r)])
    if r["faults"]:
        console.warning(f"recovered from {len(r['faults'])} link fault(s): {r['faults'][0]}")
    console.success(f"{PROFILE_FILE if profile else BENCH_FILE} and report.html written in {r['wall_seconds']} s")


def _stream(model: str, board: str, seed: int, minutes: float, threshold: float, recording_seed: int | None,
            as_json: bool) -> None:
    from toolchain.audio.stream import Detector
    from toolchain.bench_stream import STREAM_FILE, bench_stream

    r = bench_stream(model, board, seed=seed, minutes=minutes, detector=Detector(threshold=threshold),
                     recording_seed=recording_seed)
    if as_json:
        console.out.print_json(json.dumps({k: v for k, v in r.items() if k not in ("events", "detections")}))
        return
    delay = "n/a" if r["delay_s_median"] is None else f"{r['delay_s_median']:.2f} s"
    rows = [["recording", f"{r['duration_s'] / 60:.1f} min, {r['keywords']} keywords"],
            ["detector", f"every {r['detector']['every_hops']} hops, mean of {r['detector']['average']}, "
                         f"threshold {r['detector']['threshold']}"],
            ["false rejects", f"{r['false_rejects_pct']:.1f} %"],
            ["false accepts", f"{r['false_accepts']} ({r['false_accepts_per_hour']:.1f} per hour)"],
            ["delay after word end", f"median {delay}"]]
    console.table(f"{r['model']}: streaming detection", ["", "value"], rows)
    console.success(f"{STREAM_FILE} written")
