"""`manifest.json` beside every step's artifacts: lineage, config, metrics.

Writes are atomic (temp file + rename) so an interrupted step never leaves a
half-written manifest behind.
"""

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

NAME = "manifest.json"


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read(directory: Path) -> dict[str, Any]:
    p = Path(directory) / NAME
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError:
        return {}


def write_json_atomic(path: Path, data: Any) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2, default=_jsonable)
        f.write("\n")
    os.replace(tmp, path)


def update(directory: Path, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into the manifest of `directory` and return it."""
    m = read(directory)
    m.update(fields)
    m["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_json_atomic(Path(directory) / NAME, m)
    return m


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0], "platform": platform.platform(), **cpu(),
           "toolchain git commit": _git_commit()}
    for pkg in ("toolchain", "tensorflow", "tf-keras", "tensorflow-model-optimization", "ai-edge-litert",
                "tflite-micro", "onnx", "onnxruntime", "tf2onnx", "numpy", "scikit-learn", "platformio"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _git_commit() -> str:
    """The checkout's commit (with `+changes` when the tree differs from it), or "unknown" outside a git clone."""
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, capture_output=True, text=True,
                              timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo, capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


# The CPU features float kernels dispatch on (numpy's OpenBLAS, TensorFlow's): same seed, same bytes holds on
# one machine; another CPU may take other kernels and sum in another order (docs/reproducibility.md)
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve")


def cpu() -> dict[str, str]:
    """The CPU model, its core count and the SIMD flags that pick float kernels (Linux /proc/cpuinfo)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "Model") and value.strip():
                model = value.strip()
            elif key in ("flags", "Features"):
                flags = set(value.split())
    except OSError:
        pass
    return {"cpu": model, "cpu_count": str(os.cpu_count()), "cpu_simd": " ".join(f for f in SIMD_FLAGS if f in flags)}


def _jsonable(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serializable: {type(o).__name__}")
