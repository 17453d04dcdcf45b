"""Boards as data: `boards/<id>.toml`, validated by `schema.py`, found by `catalog.py`.

TOOLCHAIN_BOARDS_DIR points at another folder of board files (your own boards, tests).
cpus.py is the table of cores (-mcpu, FPUs, DSP, DWT, TFLM device) a board
names; runtimes.py is the table of on-device runtimes, the target kinds that
build each and what each does; platformio.py derives PlatformIO data from a
board. Imports: leaves only.
"""

from toolchain.boards.catalog import DEFAULT, all_boards, boards_dir, load
from toolchain.boards.errors import BoardError
from toolchain.boards.schema import Board

__all__ = ["Board", "BoardError", "DEFAULT", "all_boards", "boards_dir", "load"]
