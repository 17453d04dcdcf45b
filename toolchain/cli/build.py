"""`toolchain build`."""

from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.console import console

# shared with `flash` (and RUNTIME with `bench` and `emulate`)
RUNTIME = typer.Option(None, "--runtime", "-r", help="On-device runtime: auto, aot, tflm or litert (default: the "
                       "board's, see `toolchain boards`; auto where that is aot: AOT when it covers every op, else "
                       "TFLM).")
BOARD = typer.Option(..., "--board", "-b", help="Board id (see `toolchain boards`); flash needs a real board.")
# build's own: with --from-sweep the sweep's board is the default, else the emulated default board
SWEEP_BOARD = typer.Option(None, "--board", "-b", help="Board id (see `toolchain boards`; default qemu-m4, or the "
                           "sweep's board with --from-sweep).")
TFLM_DIR = typer.Option(None, "--tflm-dir", envvar="TOOLCHAIN_TFLM_DIR",
                        help="TFLite Micro source tree for --runtime tflm (upstream's create_tflm_tree.py output).")
KERNELS = typer.Option(None, "--kernels", help="TFLM kernels: cmsis-nn (default on cores with DSP) or reference.")


def build_cmd(
    board: str = SWEEP_BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    profile: bool = typer.Option(False, "--profile", help="Time every layer (builds with -DTM_PROFILE)."),
    tflm_dir: Path = TFLM_DIR,
    kernels: str = KERNELS,
    variant: str = options.VARIANT,
    from_sweep: str = typer.Option(None, "--from-sweep", help="Deploy a point of this sweep (see `toolchain sweep`)."),
    pick: str = typer.Option("best", "--pick", help="With --from-sweep: best, or a point id."),
    personalize: bool = typer.Option(False, "--personalize", help="The personalization firmware: a trainable head "
                                     "and its harness commands (aot runtime; see docs/personalize.md)."),
) -> None:
    """Build firmware for a model on a board (PlatformIO, offline).

    Example: toolchain build --board nano33 --model digits --runtime tflm
    """
    from toolchain.boards import DEFAULT
    from toolchain.build import build

    if from_sweep:
        fw = _from_sweep(model, from_sweep, pick, board, runtime, tflm_dir)
    else:
        fw = build(model, board or DEFAULT, runtime=runtime, seed=seed, profile=profile, tflm_dir=tflm_dir,
                   kernels=kernels, variant=variant, personalize=personalize)
    b = fw.board
    deployed = Path(fw.prepared.tflite).stem  # int8, qat, or the imported file's name
    console.table(f"{fw.model} ({deployed}) on {b.id}, {fw.runtime} runtime", ["", "bytes", "board limit", "used"], [
        ["flash", *_size(fw.size.flash_bytes, b.flash_bytes)],
        ["static RAM", *_size(fw.size.ram_bytes, b.ram_bytes)],
        ["arena (in static RAM)", *_size(fw.arena_bytes)],
        ["stack reserved", *_size(fw.size.stack_reserved_bytes)],
    ])
    console.success(f"built {fw.elf} in {fw.build_seconds:.1f} s" if fw.rebuilt else f"{fw.elf} is up to date")


def _from_sweep(model: str, name: str, choice: str, board: str | None, runtime: str | None, tflm_dir: Path | None):
    from toolchain.sweep import pick, sweep_dir
    from toolchain.sweep.point import deploy
    from toolchain.sweep.report import row

    rec, results = pick(model, name, choice)
    p = row(rec)
    console.info(f"sweep {name}, point {p['id']}: {p['describe']} ({p['status']}, {p['acc'] or 'no accuracy'})")
    out = sweep_dir(results.data["model"], name)
    fw, ref = deploy(rec, results.data["recipe"], results.data["seed"], out / "points" / rec["id"], out / "recipes",
                     board, runtime, tflm_dir)
    if rec["config"]["width"] != 1.0:
        console.info(f"this point's recipe (width {rec['config']['width']:g}) is {ref}: pass it as --model to "
                     "flash, emulate or bench it")
    return fw


def _size(n: int, limit: int | None = None) -> list[str]:
    """[bytes, limit, share]; a 0 is a size this build cannot know (LiteRT's memory, a Linux process's stack)."""
    if not n:
        return ["n/a", "", ""]
    return [f"{n:,}", f"{limit:,}", f"{n / limit:.1%}"] if limit else [f"{n:,}", "", ""]
