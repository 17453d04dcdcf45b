"""Firmware C compiled for the host with the system C compiler into a shared
library, cached under <cache>/<name>/<hash>/ by the hash of everything it is
built from, for the host to call through ctypes: how a fact only the C knows
(the front-end's features, a kernel's scratch size) reaches Python. A leaf:
callers say where the cache is (their build tree's cache/ folder)."""

import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from toolchain.errors import ToolchainError

CFLAGS = ("-O2", "-shared", "-fPIC", "-std=c11", "-Wall", "-Werror")


def compiler(what: str, error: type[ToolchainError] = ToolchainError) -> str:
    cc = os.environ.get("CC", "gcc")
    if not shutil.which(cc):
        raise error(f"no C compiler '{cc}' for the host build of {what}",
                    "install gcc (Debian: apt-get install gcc) or set CC")
    return cc


def build(name: str, sources: Sequence[Path], cache: Path, *, headers: Sequence[Path] = (),
          generated: dict[str, str] | None = None, include_dirs: Sequence[Path] = (), what: str = "",
          error: type[ToolchainError] = ToolchainError, cflags: Sequence[str] = ()) -> Path:
    """The library lib<name>.so made from `sources` (built once, then reused).

    `headers` are hashed, not compiled; `generated` maps a header name to its
    text, written beside the library (and on the include path); `cflags` are
    added to CFLAGS.
    """
    generated = generated or {}
    what = what or name
    h = hashlib.sha256()
    for f in (*sources, *headers):
        h.update(Path(f).name.encode() + Path(f).read_bytes())
    for fname, text in sorted(generated.items()):
        h.update(fname.encode() + text.encode())
    h.update(" ".join((*CFLAGS, *cflags)).encode())
    d = Path(cache) / name / h.hexdigest()[:16]
    lib = d / f"lib{name}.so"
    if lib.is_file():
        return lib
    d.mkdir(parents=True, exist_ok=True)
    for fname, text in generated.items():
        (d / fname).write_text(text)
    tmp = d / f".lib{name}.{os.getpid()}.so"
    cmd = [compiler(what, error), *CFLAGS, *cflags, f"-I{d}", *(f"-I{i}" for i in include_dirs), *map(str, sources),
           "-o", str(tmp)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise error(f"host build of {what} failed: {r.stderr.strip()[:400]}", "check gcc works")
    tmp.replace(lib)  # atomic: a concurrent build never sees half a library
    return lib
