"""`toolchain emulate`."""

import time

import typer

from toolchain.cli import options
from toolchain.cli.build import RUNTIME
from toolchain.cli.console import console


def emulate_cmd(
    board: str = typer.Option("qemu-m4", "--board", "-b", help="An emulated board (see `toolchain boards`)."),
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    port: int = typer.Option(None, "--port", help="TCP port for the serial link (default: a free one)."),
) -> None:
    """Boot a model's firmware in QEMU and serve its serial link until Ctrl-C."""
    from toolchain.emulate import Emulator, record
    from toolchain.firmware import build

    fw = build(model, board, runtime=runtime, seed=seed)
    with Emulator(fw.board, fw.elf, port) as emu:
        state = record(fw.prepared.dir, emu)
        console.success(f"{fw.board.machine} running {fw.elf}")
        console.info(f"serial: {emu.url}  (`toolchain bench --board {board} --model {model}` uses it); Ctrl-C stops")
        try:
            while emu.alive():
                time.sleep(0.5)
        finally:
            state.unlink(missing_ok=True)
    console.info("QEMU exited")
