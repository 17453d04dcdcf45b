"""`toolchain flash`."""

from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.cli.build import BOARD, RUNTIME, TFLM_DIR
from toolchain.console import console


def flash_cmd(
    board: str = BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    port: str = typer.Option(None, "--port", help="Serial port (default: found by the board's USB ids)."),
    tflm_dir: Path = TFLM_DIR,
    variant: str = options.VARIANT,
) -> None:
    """Build and upload the firmware to a real board (PlatformIO).

    Example: toolchain flash --board nano33 --model digits --port /dev/ttyACM0
    """
    from toolchain.device.flash import flash

    used = flash(model, board, port=port, runtime=runtime, seed=seed, tflm_dir=tflm_dir, variant=variant)
    console.success(f"flashed {model} to {board} on {used}; measure it with `toolchain bench --board {board} --port {used}`")
