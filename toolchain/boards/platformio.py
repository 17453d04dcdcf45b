"""Derived PlatformIO data: the board JSON a dev-platform expects, made from
`boards/<id>.toml` so the TOML stays the only source of truth."""

from typing import Any

from toolchain.boards.schema import Board

# Local dev-platforms shipped under firmware/platforms/, by platform name
LOCAL_PLATFORMS = ("qemu-mps2",)


def target_kind(board: Board) -> str:
    """How a board is built: `qemu` (a local dev-platform), `linux` (a Linux board, cross-built with GCC) or
    `platformio` (a real board's own PlatformIO platform)."""
    if board.pio_platform in LOCAL_PLATFORMS:
        return "qemu"
    return "linux" if board.pio_platform == "linux_arm" else "platformio"


def gcc_cpu(board: Board) -> str:
    return board.core.gcc_cpu or board.cpu


def board_json(board: Board, ldscript: str | None = None) -> dict[str, Any]:
    build: dict[str, Any] = {"cpu": gcc_cpu(board), "fpu": board.fpu, "mcu": board.mcu, "f_cpu": f"{board.clock_hz}L"}
    if ldscript:
        build["ldscript"] = ldscript
    return {
        "name": board.name,
        "vendor": "toolchain",
        "url": "https://www.qemu.org/docs/master/system/arm/mps2.html" if board.emulated else "",
        "build": build,
        "frameworks": [] if board.pio_framework == "none" else [board.pio_framework],
        "upload": {
            "maximum_size": board.flash_bytes,
            "maximum_ram_size": board.ram_bytes,
            "protocol": board.upload_protocol,
            "protocols": list(board.upload_protocols),
        },
    }
