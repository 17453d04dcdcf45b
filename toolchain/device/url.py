"""Where the harness reaches a built target when no --port is given."""

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
