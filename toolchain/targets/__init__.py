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
    from toolchain.pipeline import prepare
    from toolchain.targets import linux, platformio

    builders = {"linux_arm": linux.build}
    builder = builders.get(board.pio_platform, platformio.build)
    prepared = prepare(model_ref, board.id, seed)
    fw = builder(board, prepared, runtime=runtime or board.runtime, profile=profile, tflm_dir=tflm_dir)
    fw.prepared = prepared
    manifest.update(prepared.dir, firmware={
        "runtime": fw.runtime, "elf": str(fw.elf), "elf_hash": manifest.file_hash(fw.elf), "tflite_hash": fw.model_hash,
        "flash_bytes": fw.size.flash_bytes, "ram_bytes": fw.size.ram_bytes, "arena_bytes": fw.arena_bytes,
        "build_seconds": round(fw.build_seconds, 2), "profile": profile})
    return fw


def device_url(board: Board, program: Path) -> str | None:
    """Where the harness reaches a built target when no --port is given: the
    process:// of a Linux board's program, the USB port of a real board found
    by its ids, or None for a QEMU board (the caller starts the emulator)."""
    from toolchain import pi
    from toolchain.harness.discovery import find_port

    if board.emulator == "qemu-aarch64":
        return pi.url(board, program)
    return None if board.emulated else find_port(board)
