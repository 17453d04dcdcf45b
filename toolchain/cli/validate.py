"""`toolchain validate`."""

import json
import signal
from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.cli.build import KERNELS, RUNTIME, TFLM_DIR
from toolchain.cli.signals import exit_on
from toolchain.console import console


def validate_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    samples: int = typer.Option(20, "--samples", help="Held-out samples to stream through every layer."),
    seed: int = options.SEED,
    port: str = typer.Option(None, "--port", help="A real board's port (default: found by its USB ids; QEMU is "
                             "started here)."),
    tflm_dir: Path = TFLM_DIR,
    kernels: str = KERNELS,
    variant: str = options.VARIANT,
    float_model: Path = typer.Option(None, "--float", help="A float .tflite of the same network, for SQNR per layer "
                                     "when the model was imported (a recipe's float model is used by itself)."),
    as_json: bool = options.JSON,
) -> None:
    """Compare every layer's output on the device with the host reference and the float model.

    Example: toolchain validate --board qemu-m4 --model digits --runtime tflm
    """
    from toolchain import report
    from toolchain.paths import VALIDATE_FILE, build_root
    from toolchain.pipeline import model_name
    from toolchain.validate import validate
    from toolchain.validate.errors import ValidateError
    from toolchain.validate.table import headers, rows, verdict

    exit_on(signal.SIGTERM, signal.SIGHUP)  # partial results are saved as "interrupted"
    r = validate(model, board, runtime=runtime, samples=samples, seed=seed, url=port, tflm_dir=tflm_dir,
                 kernels=kernels, variant=variant, float_model=float_model)
    report.write(build_root() / model_name(model) / board)
    if as_json:
        console.out.print_json(json.dumps(r))
    else:
        console.table(f"{r['model']} on {r['board']} ({r['runtime']}): every layer, device vs host", headers(r),
                      rows(r))
        good, line = verdict(r)
        (console.success if good else console.warning)(line)
        console.info(f"{VALIDATE_FILE} and report.html written in {r['wall_seconds']} s")
    if r["status"] != "complete":
        raise ValidateError(f"validation stopped early: {r['error']}",
                            f"the layers compared so far are in {VALIDATE_FILE}; check the link and rerun")
    if r["first_difference"]:
        raise typer.Exit(1)  # the verdict above names the layer; scripts and CI see a failure
