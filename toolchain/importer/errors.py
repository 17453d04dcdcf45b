from toolchain.errors import ToolchainError


class OnnxError(ToolchainError):
    pass
