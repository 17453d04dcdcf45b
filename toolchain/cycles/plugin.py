"""The cycle-model QEMU plugin (qemu_plugins/tm_cycles.c): built with the system C
compiler on first use, cached like the audio front-end's host library, and the
QEMU arguments that load it."""

from pathlib import Path

from toolchain import host_library, paths
from toolchain.cycles import timing
from toolchain.cycles.errors import EstimateError

SOURCE = paths.REPO / "qemu_plugins" / "tm_cycles.c"
CFLAGS = ("-O2", "-shared", "-fPIC", "-std=c11", "-Wall", "-Wextra", "-Werror")


def library() -> Path:
    """The plugin's shared object; EstimateError when it cannot be built."""
    if not SOURCE.is_file():
        raise EstimateError(f"the cycle-model plugin source {SOURCE.relative_to(paths.REPO)} is missing",
                            "restore it from git")
    return host_library.shared_library("cycles", "libtm_cycles.so", SOURCE,
                                       headers={"tm_cycles_classes.h": timing.header()}, cflags=CFLAGS,
                                       what="the cycle-model QEMU plugin", error=EstimateError)


def qemu_args(lib: Path, out: Path, mark: int | None) -> list[str]:
    """`-plugin` for QEMU 7.2: totals go to `out` at every execution of the guest address `mark` and at exit."""
    spec = f"{lib},out={out}" + (f",mark={mark:x}" if mark is not None else "")
    return ["-plugin", spec]
