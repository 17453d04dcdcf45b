"""Errors about board descriptions and board limits."""

from toolchain.errors import ToolchainError


class BoardError(ToolchainError):
    """A board file is invalid, unknown, or a build does not fit the board."""
