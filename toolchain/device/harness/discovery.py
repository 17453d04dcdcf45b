"""Finds a board's USB serial port by the VID:PID pairs in `boards/<id>.toml`.

Exactly one match is used; none or several stop with the ports that were
seen, so the user knows what to pass as --port.
"""

from dataclasses import dataclass

from toolchain.boards import Board
from toolchain.device.harness.errors import TransportError


@dataclass(frozen=True)
class Port:
    device: str       # /dev/ttyACM0, COM3
    vid_pid: str      # "2341:805a", "" when the port is not USB
    description: str


def ports() -> list[Port]:
    """Every serial port the OS lists, as pyserial sees them."""
    from serial.tools import list_ports

    return [Port(p.device, f"{p.vid:04x}:{p.pid:04x}" if p.vid is not None and p.pid is not None else "",
                 p.description or "") for p in list_ports.comports()]


def candidates(board: Board) -> list[Port]:
    wanted = {i.lower() for i in board.usb_ids}
    return [p for p in ports() if p.vid_pid in wanted]


def find_port(board: Board) -> str:
    """The one port carrying one of the board's USB ids; TransportError otherwise."""
    found = candidates(board)
    if len(found) == 1:
        return found[0].device
    if not board.usb_ids:
        raise TransportError(f"{board.id} has no USB ids to look for", "pass --port")
    wanted = ", ".join(board.usb_ids)
    if not found:
        # legacy UARTs (/dev/ttyS*) have no USB ids and are never a board's port
        seen = "; ".join(f"{p.device} ({p.vid_pid} {p.description})" for p in ports() if p.vid_pid) or "no USB serial ports"
        raise TransportError(f"no {board.id} found (USB ids {wanted}); seen: {seen}",
                             "plug the board in (a data cable, not charge-only), or pass --port /dev/ttyACM0")
    listed = ", ".join(f"{p.device} ({p.vid_pid})" for p in found)
    raise TransportError(f"{len(found)} ports look like a {board.id}: {listed}", f"pass one with --port, e.g. --port {found[0].device}")
