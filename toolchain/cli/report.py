"""`toolchain report`."""

from toolchain.errors import NotImplementedYet


def report_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("report")
