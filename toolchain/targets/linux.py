"""Raspberry Pi builds: the AOT model + harness + linux stdio port as one
static aarch64 binary, or the .tflite itself for the LiteRT runner."""

from pathlib import Path

from toolchain import crossbuild, fit, manifest, pi
from toolchain.boards import Board
from toolchain.firmware import Firmware, aot_model, elf_size
from toolchain.firmware.errors import BuildError


def build(board: Board, prepared, *, runtime: str, profile: bool, tflm_dir: Path | None = None) -> Firmware:
    if runtime not in pi.RUNTIMES:
        raise BuildError(f"runtime '{runtime}' does not run on {board.id}", f"use one of: {', '.join(pi.RUNTIMES)}")
    tflite = Path(prepared.tflite)
    model_hash = manifest.file_hash(tflite)[:16]
    in_bytes, out_bytes = aot_model.io_bytes(tflite)
    if runtime == "litert":
        est = fit.estimate(board, runtime="litert", model_bytes=tflite.stat().st_size, arena_bytes=0,
                           input_bytes=in_bytes, output_bytes=out_bytes)
        fit.check(board, est, f"{prepared.name} on LiteRT")
        # nothing to compile: the runner loads the .tflite
        size = elf_size.ElfSize(tflite.stat().st_size, 0, 0)
        return Firmware(board, prepared.name, runtime, tflite.parent, tflite, size, 0, model_hash, 0.0, profile)
    out = Path(prepared.dir) / "pi"
    model = aot_model.sources(tflite, prepared.name, board, out / "generated", profile=profile)
    if profile:
        model.defines.append("TM_PROFILE")
    est = fit.estimate(board, runtime="aot", model_bytes=tflite.stat().st_size, arena_bytes=model.arena_bytes,
                       input_bytes=in_bytes, output_bytes=out_bytes)
    fit.check(board, est, f"{prepared.name} (aot)")
    elf, seconds = crossbuild.build(board, model, out)
    return Firmware(board, prepared.name, runtime, out, elf, elf_size.measure(elf), model.arena_bytes, model_hash,
                    seconds, profile, model.extra.get("layers", []))
