from toolchain.errors import ToolchainError


class PersonalizeError(ToolchainError):
    pass
