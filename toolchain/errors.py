"""The one exception family the CLI turns into a clean `Error: ...` line.

Each domain subclasses ToolchainError in its own `errors.py`; the message says
what was wrong and what to do next. `toolchain/__main__.py` is the only place
that catches them.
"""


class ToolchainError(Exception):
    """A user-facing error: bad input, missing tool, board too small, ..."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(ToolchainError):
    """An option value out of range; exit 2 like click's own usage errors."""

    exit_code = 2
