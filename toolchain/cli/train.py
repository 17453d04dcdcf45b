"""`toolchain train`."""

from toolchain.errors import NotImplementedYet


def train_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("train")
