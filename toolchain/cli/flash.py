"""`toolchain flash`."""

from toolchain.errors import NotImplementedYet


def flash_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("flash")
