"""`toolchain bench`."""

import json
import signal
from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.cli.build import KERNELS, RUNTIME, TFLM_DIR
from toolchain.console import console
from toolchain.cli.signals import exit_on


def bench_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    port: str = typer.Option(None, "--port", help="Device URL: /dev/ttyACM0, socket://HOST:PORT or process://COMMAND (default: start QEMU, find the board by its USB ids, or run the Pi program)."),
    runs: int = typer.Option(5, "--runs", help="Timed runs for the latency median (at least 5)."),
    samples: int = typer.Option(None, "--samples", help="Stream only the first N held-out samples."),
    profile: bool = typer.Option(False, "--profile", help="Also time every layer."),
    compare: str = typer.Option(None, "--compare", help="Bench several runtimes on identical inputs, e.g. tflm,aot."),
    tflm_dir: Path = TFLM_DIR,
    kernels: str = KERNELS,
    variant: str = options.VARIANT,
    as_json: bool = options.JSON,
) -> None:
    """Measure latency, memory and on-device accuracy through the serial harness.

    Example: toolchain bench --board qemu-m4 --model digits --compare tflm,aot
    """
    from toolchain import report
    from toolchain.bench import bench
    from toolchain.paths import BENCH_FILE, PROFILE_FILE, build_root
    from toolchain.pipeline import model_name

    exit_on(signal.SIGTERM, signal.SIGHUP)  # partial results are saved as "interrupted"
    args = dict(seed=seed, url=port, runs=runs, max_samples=samples, profile=profile, tflm_dir=tflm_dir, kernels=kernels,
                variant=variant)
    if compare:
        from toolchain.bench import compare as cmp

        r = cmp.compare(model, board, cmp.parse(compare), **args)
    else:
        r = bench(model, board, runtime=runtime, **args)
    report.write(build_root() / model_name(model) / board)
    if as_json:
        console.out.print_json(json.dumps(r, default=str))
        return
    if compare:
        console.table(f"{r['model']} on {r['board']}: runtimes side by side", report.compare_headers(r["compare"]),
                      report.compare_rows(r["compare"]))
    console.table(f"{r['model']} on {r['board']} ({r['runtime']})", ["", "value"], [list(row) for row in report.summary_rows(r)])
    if r["faults"]:
        console.warning(f"recovered from {len(r['faults'])} link fault(s): {r['faults'][0]}")
    console.success(f"{PROFILE_FILE if profile else BENCH_FILE} and report.html written in {r['wall_seconds']} s")
