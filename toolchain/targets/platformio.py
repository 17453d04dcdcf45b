"""Real boards through PlatformIO: generate the project, check the fit, and
run `pio run` when the board's platform is installed.

Without internet the registry is unreachable; rather than letting `pio run`
fail after a minute of HTTP retries, the core's installed platforms are
checked first and the build stops with one line saying what PlatformIO must
download once, the generated project left ready to build.
"""

import time
from pathlib import Path

from toolchain import audio, fit, manifest, platformio_setup
from toolchain.audio import firmware as audio_firmware
from toolchain.boards import Board
from toolchain.cli.console import console
from toolchain.firmware import Firmware, aot_model, elf_size, pio
from toolchain.firmware.errors import BuildError
from toolchain.targets import project, tflm

RUNTIMES = ("aot", "tflm")

# The TFLM Arduino library per platform, pinned (PlatformIO registry names),
# and the header it wants included before any TFLM header.
TFLM_LIBRARY = {
    "espressif32": ("tanakamasayuki/TensorFlowLite_ESP32@1.0.0", "TensorFlowLite_ESP32.h"),
}
TFLM_DEFAULT = ("spaziochirale/Chirale_TensorFlowLite@2.0.0", "Chirale_TensorFlowLite.h")


class PlatformMissing(BuildError):
    """The board's PlatformIO platform is not installed and cannot be downloaded here."""


def installed(platform: str, core_dir: Path = platformio_setup.CORE_DIR) -> bool:
    """Whether the core holds the platform (PlatformIO keeps `name` or `name@version` folders)."""
    root = core_dir / "platforms"
    return root.is_dir() and any(p.name == platform or p.name.startswith(f"{platform}@") for p in root.iterdir())


def build(board: Board, prepared, *, runtime: str, profile: bool, tflm_dir: Path | None = None) -> Firmware:
    if runtime not in RUNTIMES:
        raise BuildError(f"runtime '{runtime}' cannot be built for {board.id}", f"use one of: {', '.join(RUNTIMES)}")
    if tflm_dir and not Path(tflm_dir).is_dir():
        raise BuildError(f"--tflm-dir {tflm_dir} is not a folder", "point it at a TFLM Arduino library (the folder with src/)")
    if tflm_dir and runtime != "tflm":
        console.warning(f"--tflm-dir is only used by the tflm runtime, not {runtime}")
    t0 = time.monotonic()
    tflite = Path(prepared.tflite)
    fw_dir = Path(prepared.dir) / "firmware"
    library, umbrella = TFLM_LIBRARY.get(board.pio_platform, TFLM_DEFAULT)
    if runtime == "tflm":
        model = tflm.sources(prepared, board, fw_dir / "generated", umbrella)
        lib_deps = [f"symlink://{Path(tflm_dir).resolve()}" if tflm_dir else library]
    else:
        model = aot_model.sources(tflite, prepared.name, board, fw_dir / "generated", profile=profile)
        lib_deps = []
        if frontend := audio.frontend_of(prepared.manifest):  # raw PCM in: the front-end runs on the board
            model = audio_firmware.model_sources(model, frontend, tflite, fw_dir / "generated",
                                                 manifest.file_hash(tflite)[:16])
    est = fit.estimate(board, runtime=runtime, model_bytes=tflite.stat().st_size, arena_bytes=model.arena_bytes,
                       input_bytes=model.input_bytes, output_bytes=model.output_bytes)
    fit.check(board, est, f"{prepared.name} ({runtime})")
    proj = project.write(fw_dir, board, model, profile=profile, lib_deps=lib_deps)
    if not installed(board.pio_platform):
        raise PlatformMissing(
            f"project ready in {proj}, but PlatformIO's '{board.pio_platform}' platform ({board.pio_framework} framework,"
            f" toolchain{', TFLM library' if runtime == 'tflm' and not tflm_dir else ''}) is not installed",
            f"connect to the internet once and run `PLATFORMIO_CORE_DIR={platformio_setup.CORE_DIR} pio run` in that folder")
    with console.status(f"pio run ({board.id})"):
        elf, _ = pio.run(proj, board.id)
    size = elf_size.measure(elf)
    fit.check(board, fit.measured(size.flash_bytes, size.ram_bytes, size.stack_reserved_bytes), f"{prepared.name} firmware")
    return Firmware(board, prepared.name, runtime, proj, elf, size, model.arena_bytes,
                    manifest.file_hash(tflite)[:16], time.monotonic() - t0, profile, model.extra.get("layers", []),
                    model.extra)
