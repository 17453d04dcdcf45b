from toolchain.errors import ToolchainError


class SweepError(ToolchainError):
    pass
