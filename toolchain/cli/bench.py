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
    stream: bool = typer.Option(False, "--stream", help="Audio models: streaming keyword detection on the device, fed "
                                "a generated recording; checked against a host replay (stream.json)."),
    minutes: float = typer.Option(None, "--minutes", help="With --stream: length of the recording (default 5)."),
    threshold: float = typer.Option(None, "--threshold", help="With --stream: detection threshold on averaged "
                                    "posteriors (default: the recipe's [stream] threshold, else 0.9)."),
    average: int = typer.Option(None, "--average", help="With --stream: posteriors the detector averages (default: "
                                "the recipe's [stream] average, else 4)."),
    recording_seed: int = typer.Option(None, "--recording-seed", help="With --stream: seed of the recording "
                                       "(default: --seed)."),
    voices: str = typer.Option(None, "--voices", help="With --stream: who speaks in the recording: espeak (the "
                               "training synthesizer, default), heldout (CMU Flite's voices, never trained on), "
                               "validation (espeak-ng's validation voices, for choosing settings), or piper / "
                               "gnuspeech (that synthesizer's renders, for a model trained without it)."),
    estimate_for: str = typer.Option(None, "--estimate-for", help="On QEMU: also estimate cycles, ms and uJ per "
                                     "inference for these boards' cores and clocks, e.g. nano33,nucleo_l4r5zi."),
    rate: str = typer.Option(None, "--rate", help="With the estimate: inferences per minute (e.g. 60/min), for the "
                             "estimated battery life."),
    battery: str = typer.Option(None, "--battery", help="With --rate: CR2032 (default), 2xAA or 2xAAA."),
    no_estimate: bool = typer.Option(False, "--no-estimate", help="On QEMU: leave the cycle model out (instructions "
                                     "only)."),
    calibration: Path = options.CALIBRATION,
    input_shape: str = options.INPUT_SHAPE,
    min_agreement: float = options.MIN_AGREEMENT,
    as_json: bool = options.JSON,
) -> None:
    """Measure latency, memory and on-device accuracy through the serial harness.

    Example: toolchain bench --board qemu-m4 --model digits --compare tflm,aot
    """
    from toolchain.errors import UsageError

    stream_only = {"--minutes": minutes, "--threshold": threshold, "--average": average,
                   "--recording-seed": recording_seed, "--voices": voices}
    # not --tflm-dir: it may come from TOOLCHAIN_TFLM_DIR
    not_streamed = {"--compare": compare, "--profile": profile, "--samples": samples, "--estimate-for": estimate_for,
                    "--rate": rate}
    if stream:
        if given := [k for k, v in not_streamed.items() if v]:
            raise UsageError(f"{', '.join(given)} does not apply to --stream", "drop it, or bench without --stream")
        exit_on(signal.SIGTERM, signal.SIGHUP)
        return _stream(model, board, seed, variant, minutes, (threshold, average), recording_seed, voices or "espeak",
                       as_json, dict(runtime=runtime, url=port, tflm_dir=tflm_dir, kernels=kernels))
    if given := [k for k, v in stream_only.items() if v is not None]:
        raise UsageError(f"{', '.join(given)} only applies to --stream", "add --stream or drop it")
    from toolchain import report
    from toolchain.bench import bench
    from toolchain.paths import BENCH_FILE, PROFILE_FILE, build_root
    from toolchain.pipeline import model_name

    exit_on(signal.SIGTERM, signal.SIGHUP)  # partial results are saved as "interrupted"
    if calibration is not None or input_shape is not None:  # an ONNX model imported first, as `optimize` does
        from toolchain.pipeline import import_onnx

        if not model.endswith(".onnx"):
            raise UsageError(f"--calibration and --input-shape are for an ONNX model without a recipe, not {model}",
                             "drop them (a recipe's loader calibrates its model)")
        import_onnx(Path(model), "host", **options.onnx_options(calibration, input_shape, min_agreement))
    args = dict(seed=seed, url=port, runs=runs, max_samples=samples, profile=profile, tflm_dir=tflm_dir, kernels=kernels,
                variant=variant, estimate_for=estimate_for.split(",") if estimate_for else None, rate=rate,
                battery=battery, estimate=not no_estimate)
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
    if r.get("estimate"):
        console.table(f"estimates per inference ({r['estimate']['label']})", report.estimate_headers(r["estimate"]),
                      report.estimate_rows(r["estimate"]))
        console.info(f"how: {r['estimate']['how']}; not modelled: {r['estimate']['not_modelled']}")
    if r["faults"]:
        console.warning(f"recovered from {len(r['faults'])} link fault(s): {r['faults'][0]}")
    console.success(f"{PROFILE_FILE if profile else BENCH_FILE} and report.html written in {r['wall_seconds']} s")


def _stream(model: str, board: str, seed: int, variant: str | None, minutes: float | None,
            detector: tuple[float | None, int | None], recording_seed: int | None, voices: str, as_json: bool,
            device: dict) -> None:
    from toolchain import report
    from toolchain.bench.stream import bench_stream, recipe_detector
    from toolchain.paths import STREAM_FILE, build_root
    from toolchain.pipeline import model_name

    threshold, average = detector
    r = bench_stream(model, board, seed=seed, minutes=5.0 if minutes is None else minutes,
                     detector=recipe_detector(model, threshold, average),
                     recording_seed=recording_seed, voices=voices, variant=variant, **device)
    report.write(build_root() / model_name(model) / board)
    if as_json:
        console.out.print_json(json.dumps({k: v for k, v in r.items() if k not in ("events", "detections")}))
        return
    console.table(f"{r['model']}: streaming detection on {r['board']}", ["", "value"],
                  [list(row) for row in report.stream_rows(r)])
    console.success(f"{STREAM_FILE} and report.html written")
