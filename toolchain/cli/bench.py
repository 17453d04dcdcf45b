"""`toolchain bench`."""

from toolchain.errors import NotImplementedYet


def bench_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("bench")
