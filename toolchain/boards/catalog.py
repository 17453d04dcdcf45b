"""The board files: the folder they live in (TOOLCHAIN_BOARDS_DIR overrides), every board, one board by id."""

import os
from pathlib import Path

from toolchain import paths
from toolchain.boards.errors import BoardError
from toolchain.boards.schema import Board, parse

# the board every device command uses without --board: emulated, so it runs anywhere
DEFAULT = "qemu-m4"


def boards_dir() -> Path:
    return Path(os.environ.get("TOOLCHAIN_BOARDS_DIR", paths.BOARDS))


def all_boards(directory: Path | None = None) -> list[Board]:
    return [parse(p) for p in sorted(Path(directory or boards_dir()).glob("*.toml"))]


def load(board_id: str, directory: Path | None = None) -> Board:
    p = Path(directory or boards_dir()) / f"{board_id}.toml"
    if not p.exists():
        known = ", ".join(b.id for b in all_boards(directory))
        raise BoardError(f"unknown board '{board_id}'", f"known boards: {known}; see `toolchain boards`")
    return parse(p)
