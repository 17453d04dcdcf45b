"""What goes into a firmware project besides the harness and the port: the
model's C sources and the runtime they need, as (source file, project path)."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ModelSources:
    name: str                  # model name (recipe name or .tflite stem)
    runtime: str               # "aot", "tflm", or a test runtime
    files: list[tuple[Path, str]]  # (file on disk, path relative to the project's src/)
    include_dirs: list[str]    # relative to src/, added with -I
    arena_bytes: int
    input_bytes: int
    output_bytes: int
    defines: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # runtime-specific facts kept for the manifest
    io_bytes: int = 0          # the model's input/output buffers held outside the arena (0 when they live in it)
    flags: list[str] = field(default_factory=list)  # more compiler flags (e.g. -ffp-contract=off for the head)


def tree(directory: Path, dest: str, suffixes: tuple[str, ...] = (".c", ".h", ".cc", ".cpp")) -> list[tuple[Path, str]]:
    """Every source file under `directory`, mapped below `dest`."""
    directory = Path(directory)
    return [(p, f"{dest}/{p.relative_to(directory).as_posix()}") for p in sorted(directory.rglob("*")) if p.suffix in suffixes]
