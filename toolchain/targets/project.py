"""The PlatformIO project of a real board: platformio.ini naming the board's
own platform/board/framework, an Arduino main.cpp, and the Arduino port
(firmware/templates/, firmware/ports/arduino/); the rest is written as for
the QEMU boards (toolchain/firmware/project.py)."""

from pathlib import Path

from toolchain.boards import Board
from toolchain.firmware import project
from toolchain.firmware.sources import ModelSources

# Cortex-M cores with a DWT cycle counter (the M0+ has none)
DWT_CPUS = ("cortex-m4f", "cortex-m7", "cortex-m33", "cortex-m55")
PORT = "arduino"


def build_flags(board: Board, model: ModelSources, profile: bool) -> list[str]:
    port_flags = [f"-DTM_PORT_BAUD={board.baud}"] + (["-DTM_PORT_DWT"] if board.cpu in DWT_CPUS else [])
    return project.build_flags(board, model, profile, port_flags)


def write(proj: Path, board: Board, model: ModelSources, *, profile: bool = False,
          lib_deps: list[str] | None = None) -> Path:
    ctx = dict(model=model.name, runtime=model.runtime, board=board, board_id=board.id, lib_deps=lib_deps or [],
               build_flags=build_flags(board, model, profile))
    return project.sync(proj, PORT, model, ctx, ini="platformio_real.ini.j2", main=("main_arduino.cpp.j2", "main.cpp"))
