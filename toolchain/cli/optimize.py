"""`toolchain optimize`."""

from toolchain.errors import NotImplementedYet


def optimize_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("optimize")
