"""`manifest.json` beside every step's artifacts: lineage, config, metrics.

`Manifest` is its contract, key by key, and `read` its one reader. Writes are
atomic (temp file + rename) so an interrupted step never leaves a
half-written manifest behind. A manifest carries `version`; one written
before versions (no `version`) has the same keys and is read as it is, one
of a newer toolchain is refused.
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
from typing import Any, TypedDict

from toolchain.errors import ToolchainError

NAME = "manifest.json"
VERSION = 1


class ManifestError(ToolchainError):
    """A manifest this toolchain cannot read."""


class ModelFacts(TypedDict, total=False):
    """What the model side knows of a model: written in `build/<model>/host/`, copied into every board's folder."""

    model: str                      # the model's one name (pipeline.model_name), its build folder's
    task: str                       # "classification" or "regression"
    labels: list[str]
    deploy: str | None              # the int8 .tflite device steps deploy (None: the plan made none)
    ops: list[str]                  # the deployed model's TFLM op names
    arena_bytes: int | None         # TFLM arena: the measurement plus a margin
    arena_measured_bytes: int | None
    artifacts: list[dict]           # one row per artifact: name, path, size_bytes, accuracy or mae, ...
    lineage: dict                   # recipe, seed, code and input hashes, config, tool versions
    tflm_sources: list[str]         # the generated TFLM C files
    train_history: dict             # per-epoch loss and metrics
    data_hash: str                  # the train and test split's bytes
    monitor_profile: dict           # field statistics of the training split (export/field_stats.py)
    parity: dict                    # an imported ONNX model: ONNX Runtime vs converted, int8 vs float (importer/)
    input_layout: dict              # an imported ONNX model: user and device input shapes, the perm between them
    onnx: dict                      # an imported ONNX model: its file, opset, hash


class Manifest(ModelFacts, total=False):
    """The whole file: the model's facts plus what each step recorded in this folder."""

    version: int
    updated: str                    # UTC time of the last write
    board: str                      # "host" or a board id
    source: str                     # a board's folder: the host folder its facts come from
    recipe: str                     # host: the recipe folder that owns this build tree
    steps: dict[str, str]           # step -> key of what it was last run on (the cache)
    plan: dict                      # the last optimize plan (optimize.Plan.to_dict)
    optimized: dict[str, str]       # variant -> .tflite / .keras made by that plan
    aot: dict                       # AOT C: files, arena_bytes, weights_bytes, macs, layers
    firmware: dict                  # the last build: runtime, elf, sizes, tflite_hash, ...
    bench: dict                     # the last plain bench: latency, memory, accuracy (audio)
    calibration: str                # an ONNX model imported without a recipe: its calibration inputs


def model_facts(m: Manifest) -> ModelFacts:
    """The keys of ModelFacts in `m` (None where missing): what a board's folder takes from the host's."""
    return {k: m.get(k) for k in ModelFacts.__annotations__}  # type: ignore[return-value]


def data_config(m: Manifest) -> dict:
    """The recipe's [data] table as the model was trained with it ({} for a model imported without a recipe)."""
    return m.get("lineage", {}).get("config", {}).get("data", {})


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read(directory: Path) -> Manifest:
    """The manifest in `directory`; {} when there is none yet (or it is unreadable: the steps redo their work)."""
    p = Path(directory) / NAME
    if not p.exists():
        return {}
    try:
        m = json.loads(p.read_text())
    except json.JSONDecodeError:
        return {}
    if not isinstance(m, dict):
        return {}
    if m.get("version", VERSION) > VERSION:
        raise ManifestError(f"{p} was written by a newer toolchain (manifest version {m['version']}, this one reads "
                            f"{VERSION})", f"update toolchain, or delete {p.parent} and rerun the step")
    return m


def write_json_atomic(path: Path, data: Any) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2, default=_jsonable)
        f.write("\n")
    os.replace(tmp, path)


def update(directory: Path, **fields: Any) -> Manifest:
    """Merge `fields` into the manifest of `directory` and return it."""
    m = read(directory)
    m.update(fields)
    m["version"] = VERSION
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
