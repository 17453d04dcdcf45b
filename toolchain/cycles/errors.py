from toolchain.errors import ToolchainError


class EstimateError(ToolchainError):
    pass
