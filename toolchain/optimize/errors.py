from toolchain.errors import ToolchainError


class OptimizeError(ToolchainError):
    pass
