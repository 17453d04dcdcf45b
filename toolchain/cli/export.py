"""`toolchain export`."""

from toolchain.errors import NotImplementedYet


def export_cmd() -> None:
    """Not implemented yet."""
    raise NotImplementedYet("export")
