from toolchain.errors import ToolchainError


class AudioError(ToolchainError):
    pass
