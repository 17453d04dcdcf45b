"""C compiled for the host by the system C compiler into a shared library, cached
under <build>/cache/<kind>/<hash>/ by the hash of its sources, generated headers
and flags: the audio front-end (loaded with ctypes) and the QEMU cycle-model
plugin (loaded by QEMU)."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from toolchain import paths
from toolchain.errors import ToolchainError


def compiler(what: str, error: type[ToolchainError]) -> str:
    cc = os.environ.get("CC", "gcc")
    if not shutil.which(cc):
        raise error(f"no C compiler '{cc}' for the host build of {what}",
                    "install gcc (Debian: apt-get install gcc) or set CC")
    return cc


def shared_library(kind: str, name: str, source: Path, *, hashed: tuple[Path, ...] = (),
                   headers: dict[str, str] | None = None, include_dirs: tuple[Path, ...] = (),
                   cflags: tuple[str, ...], what: str, error: type[ToolchainError]) -> Path:
    """Build (or reuse) `name` from `source`; `hashed` are the other files it includes, `headers` the generated
    ones (file name -> text), written beside the library."""
    headers = headers or {}
    h = hashlib.sha256(b"".join(t.encode() for t in headers.values())
                       + b"".join(p.read_bytes() for p in (source, *hashed))
                       + " ".join(cflags).encode()).hexdigest()[:16]
    d = paths.build_root() / "cache" / kind / h
    lib = d / name
    if lib.is_file():
        return lib
    cc = compiler(what, error)
    d.mkdir(parents=True, exist_ok=True)
    for file, text in headers.items():
        (d / file).write_text(text)
    tmp = d / f".{name}.{os.getpid()}"
    cmd = [cc, *cflags, f"-I{d}", *(f"-I{i}" for i in include_dirs), str(source), "-o", str(tmp)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise error(f"host build of {what} failed: {r.stderr.strip()[:400]}", "check gcc works")
    tmp.replace(lib)  # atomic: a concurrent build never sees half a library
    return lib
