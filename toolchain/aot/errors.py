"""The AOT compiler's one exception type."""

from toolchain.errors import ToolchainError


class AotError(ToolchainError):
    """A .tflite the AOT compiler cannot read or cannot compile."""
