"""Real targets: what `toolchain build` does for a board that is not one of
the local (QEMU) PlatformIO platforms.

The board's PlatformIO platform picks the builder: `linux_arm` boards (the
Raspberry Pis) are cross-built with plain GCC (toolchain/targets/linux.py);
every other one gets a PlatformIO project for its real platform, board and
framework (toolchain/targets/platformio.py). A fit check runs before either.
"""

from pathlib import Path

from toolchain import manifest
from toolchain.boards import Board
from toolchain.boards.platformio import LOCAL_PLATFORMS


def handles(board: Board) -> bool:
    return board.pio_platform not in LOCAL_PLATFORMS


def build(board: Board, model_ref: str, *, runtime: str | None = None, seed: int = 0, profile: bool = False,
          tflm_dir: Path | None = None):
    """Returns a toolchain.firmware.Firmware, like the QEMU build."""
    from toolchain.firmware import record
    from toolchain.pipeline import prepare
    from toolchain.targets import linux, platformio

    builders = {"linux_arm": linux.build}
    builder = builders.get(board.pio_platform, platformio.build)
    prepared = prepare(model_ref, board.id, seed)
    fw = builder(board, prepared, runtime=runtime or board.runtime, profile=profile, tflm_dir=tflm_dir)
    fw.prepared = prepared
    record(fw)
    return fw


def flashed(board: Board, model_ref: str, *, runtime: str, seed: int = 0):
    """A real board flashed elsewhere, reached by its port: what bench needs (the model's hash, test data) comes
    from the pipeline, nothing is built. Sizes come from this model's own build record when there is one, else
    they are 0 (bench shows them as n/a)."""
    from toolchain.firmware import Firmware, elf_size
    from toolchain.pipeline import prepare

    prepared = prepare(model_ref, board.id, seed)
    model_hash = manifest.file_hash(prepared.tflite)[:16]
    rec = prepared.manifest.get("firmware") or {}
    rec = rec if rec.get("tflite_hash") == model_hash else {}
    size = elf_size.ElfSize(rec.get("flash_bytes", 0), rec.get("ram_bytes", 0), rec.get("stack_reserved_bytes", 0))
    return Firmware(board, prepared.name, runtime, None, None, size, rec.get("arena_bytes", 0), model_hash, 0.0,
                    bool(rec.get("profile")), prepared=prepared)


def device_url(board: Board, program: Path) -> str | None:
    """Where the harness reaches a built target when no --port is given: the
    process:// of a Linux board's program, the USB port of a real board found
    by its ids, or None for a QEMU board (the caller starts the emulator)."""
    from toolchain import pi
    from toolchain.harness.discovery import find_port

    if board.emulator == "qemu-aarch64":
        return pi.url(board, program)
    return None if board.emulated else find_port(board)
