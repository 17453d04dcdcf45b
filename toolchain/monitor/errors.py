"""Errors of field monitoring."""

from toolchain.errors import ToolchainError


class MonitorError(ToolchainError):
    """The device cannot be monitored (no statistics, no reference profile) or a scenario does not apply."""
