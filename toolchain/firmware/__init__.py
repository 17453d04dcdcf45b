"""`toolchain build`: a PlatformIO project for one model on one board, built
offline, with flash and RAM read from the ELF and checked against the board.

    from toolchain.firmware import build
    fw = build("digits", "qemu-m4")          # -> Firmware(elf=..., size=..., ...)
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

from toolchain import audio, boards, fit, manifest
from toolchain.audio import firmware as audio_firmware
from toolchain.boards import Board
from toolchain.cli.console import console
from toolchain.firmware import aot_model, elf_size, pio, project
from toolchain.firmware.errors import BuildError
from toolchain.firmware.sources import ModelSources

RUNTIMES = ("aot",)


@dataclass
class Firmware:
    board: Board
    model: str
    runtime: str
    project: Path
    elf: Path
    size: elf_size.ElfSize
    arena_bytes: int
    model_hash: str            # first 16 hex chars of the deployed .tflite's sha256
    build_seconds: float
    profile: bool
    layers: list = field(default_factory=list)  # per-layer description from the model compiler
    extra: dict = field(default_factory=dict)   # ModelSources.extra (an audio model's front-end, ...)
    prepared: object = None    # toolchain.pipeline.Prepared


def build(model_ref: str, board_id: str, *, runtime: str | None = None, seed: int = 0, profile: bool = False,
          tflm_dir: Path | None = None) -> Firmware:
    from toolchain import targets
    from toolchain.pipeline import prepare

    board = boards.load(board_id)
    boards.check_runtime(runtime)
    if targets.handles(board):
        # real boards and Raspberry Pis: toolchain/targets/
        return targets.build(board, model_ref, runtime=runtime, seed=seed, profile=profile, tflm_dir=tflm_dir)
    runtime = runtime or board.runtime
    if runtime not in RUNTIMES:
        raise BuildError(f"the {runtime} runtime cannot be built for {board.id}: TFLM's C++ sources are not available "
                         "offline", f"use --runtime {' or '.join(RUNTIMES)}")
    prepared = prepare(model_ref, board.id, seed)
    tflite = Path(prepared.tflite)
    in_bytes, out_bytes = aot_model.io_bytes(tflite)
    frontend = audio.frontend_of(prepared.manifest)
    if frontend:
        in_bytes = frontend.clip_samples * 2  # raw PCM in

    def estimate(arena_bytes: int) -> fit.Estimate:
        return fit.estimate(board, runtime=runtime, model_bytes=tflite.stat().st_size, arena_bytes=arena_bytes,
                            input_bytes=in_bytes, output_bytes=out_bytes)

    # before generating C: a model whose weights alone are too big is refused at once
    fit.check(board, estimate(0), f"{prepared.name} ({runtime}, before planning its arena)")
    fw_dir = Path(prepared.dir) / "firmware"
    with console.status(f"generating {runtime} C for {prepared.name}"):
        model = aot_model.sources(tflite, prepared.name, board, fw_dir / "generated", profile=profile)
        if frontend:
            model = audio_firmware.model_sources(model, frontend, tflite, fw_dir / "generated",
                                                 manifest.file_hash(tflite)[:16])
    fit.check(board, estimate(model.arena_bytes), f"{prepared.name} ({runtime})")
    fw = build_sources(model, board, fw_dir, profile=profile, model_hash=manifest.file_hash(tflite)[:16])
    fw.prepared = prepared
    record(fw)
    return fw


def record(fw: Firmware) -> None:
    """The build in the model's manifest: bench reads its runtime and sizes back (a board flashed elsewhere too)."""
    manifest.update(fw.prepared.dir, firmware={
        "runtime": fw.runtime, "elf": str(fw.elf), "elf_hash": manifest.file_hash(fw.elf), "tflite_hash": fw.model_hash,
        "flash_bytes": fw.size.flash_bytes, "ram_bytes": fw.size.ram_bytes, "stack_reserved_bytes": fw.size.stack_reserved_bytes,
        "arena_bytes": fw.arena_bytes, "build_seconds": round(fw.build_seconds, 2), "profile": fw.profile,
    })


def build_sources(model: ModelSources, board: Board, fw_dir: Path, *, profile: bool = False, model_hash: str = "") -> Firmware:
    """Write and build the project for already generated model sources (also used by tests with a fake model)."""
    t0 = time.monotonic()
    proj = project.write(fw_dir, board, model, profile=profile)
    with console.status(f"pio run ({board.id})"):
        elf, _ = pio.run(proj, board.id)
    size = elf_size.measure(elf)
    fit.check(board, fit.measured(size.flash_bytes, size.ram_bytes, size.stack_reserved_bytes), f"{model.name} firmware")
    return Firmware(board, model.name, model.runtime, proj, elf, size, model.arena_bytes, model_hash,
                    time.monotonic() - t0, profile, model.extra.get("layers", []), model.extra)
