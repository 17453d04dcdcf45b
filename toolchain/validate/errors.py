"""validate's one exception type."""

from toolchain.errors import ToolchainError


class ValidateError(ToolchainError):
    """A model or board the validation build cannot serve, or a validation that did not finish."""
