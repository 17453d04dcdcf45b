"""`toolchain boards`."""

from toolchain.errors import NotImplementedYet


def boards_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("boards")
