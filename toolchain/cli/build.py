"""`toolchain build`."""

from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.console import console

# shared with `flash` (and RUNTIME with `bench` and `emulate`)
RUNTIME = typer.Option(None, "--runtime", "-r", help="On-device runtime (default: the board's, see `toolchain boards`).")
BOARD = typer.Option(..., "--board", "-b", help="Board id (see `toolchain boards`); flash needs a real board.")
TFLM_DIR = typer.Option(None, "--tflm-dir", envvar="TOOLCHAIN_TFLM_DIR",
                        help="TFLite Micro source tree for --runtime tflm (upstream's create_tflm_tree.py output).")
KERNELS = typer.Option(None, "--kernels", help="TFLM kernels: cmsis-nn (default on cores with DSP) or reference.")


def build_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    profile: bool = typer.Option(False, "--profile", help="Time every layer (builds with -DTM_PROFILE)."),
    tflm_dir: Path = TFLM_DIR,
    kernels: str = KERNELS,
    variant: str = options.VARIANT,
) -> None:
    """Build firmware for a model on a board (PlatformIO, offline).

    Example: toolchain build --board nano33 --model digits --runtime tflm
    """
    from toolchain.build import build

    fw = build(model, board, runtime=runtime, seed=seed, profile=profile, tflm_dir=tflm_dir, kernels=kernels,
               variant=variant)
    b = fw.board
    deployed = Path(fw.prepared.tflite).stem  # int8, qat, or the imported file's name
    console.table(f"{fw.model} ({deployed}) on {b.id}, {fw.runtime} runtime", ["", "bytes", "board limit", "used"], [
        ["flash", *_size(fw.size.flash_bytes, b.flash_bytes)],
        ["static RAM", *_size(fw.size.ram_bytes, b.ram_bytes)],
        ["arena (in static RAM)", *_size(fw.arena_bytes)],
        ["stack reserved", *_size(fw.size.stack_reserved_bytes)],
    ])
    console.success(f"built {fw.elf} in {fw.build_seconds:.1f} s" if fw.rebuilt else f"{fw.elf} is up to date")


def _size(n: int, limit: int | None = None) -> list[str]:
    """[bytes, limit, share]; a 0 is a size this build cannot know (LiteRT's memory, a Linux process's stack)."""
    if not n:
        return ["n/a", "", ""]
    return [f"{n:,}", f"{limit:,}", f"{n / limit:.1%}"] if limit else [f"{n:,}", "", ""]
