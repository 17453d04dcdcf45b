"""Raspberry Pi targets (rpi4, rpi5): a Linux process, not firmware.

`aot`: the AOT model + harness + linux stdio port, cross-built as one static
aarch64 binary (toolchain.build.gcc). `litert`: the .tflite served by
litert_runner.py. Both speak the harness protocol on stdin/stdout; `url()`
says how the host starts them: directly on an aarch64 host (the Pi itself),
through qemu-aarch64 anywhere else (CI).
"""

import platform
import shlex
import shutil
import sys
from pathlib import Path

from toolchain.boards import Board
from toolchain.console import console
from toolchain.device.harness.errors import TransportError

QEMU = "qemu-aarch64-static"
SYSROOT = "/usr/aarch64-linux-gnu"
RUNNER = Path(__file__).with_name("litert_runner.py")


def native() -> bool:
    return platform.machine() in ("aarch64", "arm64")


def measured_on(program: Path) -> str:
    """Where `url(program)` runs, for the latency's label: only natively on the Pi is it the Pi's time."""
    if native():
        return "device"
    if Path(program).suffix == ".tflite":
        return f"host ({platform.machine()}), not a Pi"
    return f"qemu-aarch64 on {platform.machine()} host, not a Pi"


def url(board: Board, program: Path) -> str:
    """The process:// URL that runs `program` (a binary, or a .tflite for the LiteRT runner)."""
    program = Path(program).resolve()
    if program.suffix == ".tflite":
        argv = [sys.executable, str(RUNNER), str(program), "--board", board.id]
        if not native():
            console.warning(f"LiteRT runs on this {platform.machine()} host: outputs are the Pi's, latency is the host's, not the {board.id}'s")
    elif native():
        argv = [str(program)]
    else:
        qemu = shutil.which(QEMU)
        if not qemu:
            raise TransportError(f"{QEMU} not found: this host cannot run the {board.id} binary",
                                 "install it: apt-get install --no-install-recommends qemu-user-static, or run on the Pi")
        argv = [qemu, "-L", SYSROOT, str(program)]
        console.warning(f"{board.id} runs under {QEMU} on this host: outputs are the Pi's, latency is the emulator's")
    return "process://" + shlex.join(argv)
