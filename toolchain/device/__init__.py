"""Step 5: the device, emulated or real. emulate.py boots firmware in QEMU,
flash.py uploads to a real board, pi.py runs a Raspberry Pi program, and
harness/ is the host side of the serial protocol (client, protocol,
transports, port discovery). Imports: build (flash builds first), boards and
leaves; never bench or report.

    url = url_for(board, elf)    # process:// for a Pi, the USB port of a real board, None for QEMU
"""

from pathlib import Path

from toolchain.boards import Board
from toolchain.device import pi
from toolchain.device.harness.discovery import find_port


def url_for(board: Board, program: Path) -> str | None:
    """Where the harness reaches a built target when no --port is given: the process:// of a Linux board's
    program, the USB port of a real board found by its ids, or None for a QEMU board (the caller starts it)."""
    if board.emulator == "qemu-aarch64":
        return pi.url(board, program)
    return None if board.emulated else find_port(board)
