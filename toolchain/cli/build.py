"""`toolchain build`."""

from toolchain.errors import NotImplementedYet


def build_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("build")
