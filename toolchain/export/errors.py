from toolchain.errors import ToolchainError


class ExportError(ToolchainError):
    pass
