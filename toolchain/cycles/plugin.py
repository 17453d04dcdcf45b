"""The cycle-model QEMU plugin (qemu_plugins/tm_cycles.c): built with the system C
compiler on first use, cached like the audio front-end's host library, and the
QEMU arguments that load it."""

import os
import shutil
import subprocess
from pathlib import Path

from toolchain import host_library, paths
from toolchain.cycles import timing
from toolchain.cycles.errors import EstimateError

SOURCE = paths.REPO / "qemu_plugins" / "tm_cycles.c"


def library() -> Path:
    """The plugin's shared object (build/cache/tm_cycles/<hash>/); EstimateError when it cannot be built."""
    if not SOURCE.is_file():
        raise EstimateError(f"the cycle-model plugin source {SOURCE.name} is missing",
                            "restore qemu_plugins/ from git")
    return host_library.build("tm_cycles", [SOURCE], paths.build_root() / "cache",
                              generated={"tm_cycles_classes.h": timing.header()},
                              what="the cycle-model QEMU plugin", error=EstimateError)


def check_loads(lib: Path, qemu: str = "qemu-system-arm") -> None:
    """EstimateError unless `qemu` loads `lib`: QEMU opens its serial socket before it loads plugins, so a plugin
    it refuses would only show as a device that hangs up; an empty machine that quits at once tells first.
    A success is remembered beside the library, for this QEMU binary, so later benches skip the check."""
    exe = shutil.which(qemu)
    if exe is None:
        raise EstimateError(f"{qemu} not found", "install it: apt-get install --no-install-recommends qemu-system-arm")
    st = Path(exe).stat()
    seal = f"{exe} {st.st_size} {st.st_mtime_ns}"
    ok = lib.with_name(lib.name + ".loads")
    if ok.is_file() and ok.read_text() == seal:
        return
    try:
        r = subprocess.run([exe, "-M", "none", "-display", "none", "-nodefaults", "-monitor", "stdio",
                            *qemu_args(lib, Path(os.devnull), None)], input="quit\n", capture_output=True, text=True,
                           timeout=30)
    except subprocess.TimeoutExpired as e:
        raise EstimateError(f"{qemu} did not start with the cycle-model plugin within 30 s") from e
    if r.returncode:
        why = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1]
        raise EstimateError(f"QEMU cannot load the cycle-model plugin {lib.name}: {why}",
                            "delete build/cache/tm_cycles so it is rebuilt")
    ok.write_text(seal)


def qemu_args(lib: Path, out: Path, mark: int | None, exact: bool = False) -> list[str]:
    """`-plugin` for QEMU 7.2: totals go to `out` at every execution of the guest address `mark` and at exit.
    `exact`: taken branches followed block by block (a callback per block: slower; to check the default rule)."""
    spec = f"{_escaped(lib)},out={_escaped(out)}" + (f",mark={mark:x}" if mark is not None else "") + (
        ",exact=on" if exact else "")
    return ["-plugin", spec]


def _escaped(path: Path) -> str:
    return str(path).replace(",", ",,")  # QEMU's option syntax: a doubled comma is a comma
