"""Raspberry Pi builds: the AOT model + harness + linux stdio port as one
static aarch64 binary (gcc.py), or the .tflite itself for the LiteRT runner."""

from pathlib import Path

from toolchain.boards import Board, runtimes
from toolchain.build import elf_size, gcc, compile_steps
from toolchain.build.firmware import Firmware


def build(board: Board, prepared, *, runtime: str, profile: bool, tflm_dir: Path | None = None,
          kernels: str | None = None, validate: bool = False, personalize: bool = False) -> Firmware:
    tflite = Path(prepared.tflite)
    model_hash = compile_steps.tflite_hash(prepared)
    if not runtimes.named(runtime).compiles:
        compile_steps.check_fit(board, prepared, runtime, 0, " on LiteRT")
        # nothing to compile: the runner loads the .tflite
        size = elf_size.ElfSize(tflite.stat().st_size, 0, 0)
        return Firmware(board, prepared.name, runtime, tflite.parent, tflite, size, 0, model_hash, 0.0, profile)
    out = Path(prepared.dir) / ("pi-validate" if validate else "pi-personalize" if personalize else "pi")
    model = compile_steps.model_sources(board, prepared, "aot", out / "generated", profile=profile, validate=validate,
                                        personalize=personalize)
    if profile:
        model.defines.append("TM_PROFILE")
    compile_steps.check_fit(board, prepared, runtime, model.arena_bytes)
    elf, seconds = gcc.build(board, model, out)
    return Firmware(board, prepared.name, runtime, out, elf, elf_size.measure(elf), model.arena_bytes, model_hash,
                    seconds, profile, model.extra.get("layers", []), io_bytes=model.io_bytes, extra=model.extra)
