"""What a build produces (`Firmware`) and its record in the model's manifest,
which bench reads back (for a board flashed elsewhere too)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from toolchain import manifest
from toolchain.boards import Board
from toolchain.build.elf_size import ElfSize


class Compiled(NamedTuple):
    """What a compiler run made: `pio run` (pio.py) or plain GCC (gcc.py)."""

    elf: Path
    seconds: float


@dataclass
class Firmware:
    board: Board
    model: str
    runtime: str
    project: Path | None
    elf: Path | None
    size: ElfSize
    arena_bytes: int
    model_hash: str            # first 16 hex chars of the deployed .tflite's sha256
    build_seconds: float
    profile: bool
    layers: list = field(default_factory=list)  # per-layer description from the model compiler
    prepared: object = None    # toolchain.pipeline.Prepared
    io_bytes: int = 0          # model input/output buffers held outside the arena
    rebuilt: bool = True       # False when the firmware was up to date and `pio run` was skipped
    extra: dict = field(default_factory=dict)  # ModelSources.extra (an audio model's front-end, ...)


def record(fw: Firmware) -> None:
    manifest.update(fw.prepared.dir, firmware={
        "runtime": fw.runtime, "elf": str(fw.elf), "elf_hash": manifest.file_hash(fw.elf), "tflite_hash": fw.model_hash,
        "flash_bytes": fw.size.flash_bytes, "ram_bytes": fw.size.ram_bytes, "stack_reserved_bytes": fw.size.stack_reserved_bytes,
        "arena_bytes": fw.arena_bytes, "io_bytes": fw.io_bytes, "build_seconds": round(fw.build_seconds, 2),
        "profile": fw.profile, **({"audio": fw.extra["audio"]} if "audio" in fw.extra else {}),
    })


def recorded(board: Board, prepared, runtime: str) -> Firmware:
    """A real board flashed elsewhere, reached by its port: nothing is built. Sizes come from this model's own
    build record when there is one, else they are 0 (bench shows them as n/a)."""
    model_hash = manifest.file_hash(prepared.tflite)[:16]
    rec = prepared.manifest.get("firmware") or {}
    rec = rec if rec.get("tflite_hash") == model_hash else {}
    size = ElfSize(rec.get("flash_bytes", 0), rec.get("ram_bytes", 0), rec.get("stack_reserved_bytes", 0))
    return Firmware(board, prepared.name, runtime, None, None, size, rec.get("arena_bytes", 0), model_hash, 0.0,
                    bool(rec.get("profile")), prepared=prepared, io_bytes=rec.get("io_bytes", 0),
                    extra={"audio": rec["audio"]} if "audio" in rec else {})
