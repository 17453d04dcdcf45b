"""`toolchain emulate`."""

import signal
import time
from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.cli.build import KERNELS, RUNTIME, TFLM_DIR
from toolchain.console import console
from toolchain.cli.signals import exit_on


def emulate_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    port: str = typer.Option(None, "--port", help="Where to serve the serial link: socket://127.0.0.1:PORT (what "
                             "bench --port takes) or just PORT (default: a free port)."),
    tflm_dir: Path = TFLM_DIR,
    kernels: str = KERNELS,
    variant: str = options.VARIANT,
) -> None:
    """Boot a model's firmware in QEMU and serve its serial link until Ctrl-C.

    Example: toolchain emulate --board qemu-m4 --model digits --port socket://127.0.0.1:4444
    """
    from toolchain import boards
    from toolchain.device.emulate import Emulator, check_emulator, check_port_free, listen_port, record
    from toolchain.build import build

    # what cannot work is refused before minutes of training and building
    check_emulator(boards.load(board))
    port = listen_port(port)
    if port is not None:
        check_port_free(port)
    fw = build(model, board, runtime=runtime, seed=seed, tflm_dir=tflm_dir, kernels=kernels, variant=variant)
    exit_on(signal.SIGTERM, signal.SIGHUP)
    with Emulator(fw.board, fw.elf, port) as emu:
        state = record(fw.prepared.dir, emu)
        console.success(f"{fw.board.machine} running {fw.elf}")
        console.info(f"serial: {emu.url}  (`toolchain bench --board {board} --model {model}` uses it); Ctrl-C stops")
        try:
            while emu.alive():
                time.sleep(0.5)
            # only Ctrl-C or a signal (exceptions, leaving the loop) is a normal end
            raise emu.died()
        except KeyboardInterrupt:
            console.info("stopped")  # Ctrl-C is how emulate is meant to end
        finally:
            state.unlink(missing_ok=True)

