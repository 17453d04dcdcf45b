"""Errors while generating or building firmware."""

from toolchain.errors import ToolchainError


class BuildError(ToolchainError):
    """The firmware project could not be written or built, or does not fit the board."""
