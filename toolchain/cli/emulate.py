"""`toolchain emulate`."""

from toolchain.errors import NotImplementedYet


def emulate_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("emulate")
