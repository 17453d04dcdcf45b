"""Errors of the serial link and of the harness protocol."""

from toolchain.errors import ToolchainError


class TransportError(ToolchainError):
    """The link to the device cannot be opened, or it broke."""


class HarnessError(ToolchainError):
    """The device answered, but not what the protocol expects (after retries)."""
