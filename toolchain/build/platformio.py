"""Real boards through PlatformIO: generate the project, check the fit, and
run `pio run` when the board's platform is installed.

Without internet the registry is unreachable; rather than letting `pio run`
fail after a minute of HTTP retries, the core's installed platforms are
checked first and the build stops with one line saying what PlatformIO must
download once, the generated project left ready to build.
"""

import time
from pathlib import Path

from toolchain.boards import Board
from toolchain.build import pio_core, project, tail, tflm_library
from toolchain.build.errors import BuildError
from toolchain.build.firmware import Firmware
from toolchain.console import console

# The TFLM Arduino library per platform, pinned (PlatformIO registry names),
# and the header it wants included before any TFLM header.
TFLM_LIBRARY = {
    "espressif32": ("tanakamasayuki/TensorFlowLite_ESP32@1.0.0", "TensorFlowLite_ESP32.h"),
}
TFLM_DEFAULT = ("spaziochirale/Chirale_TensorFlowLite@2.0.0", "Chirale_TensorFlowLite.h")


class PlatformMissing(BuildError):
    """The board's PlatformIO platform is not installed and cannot be downloaded here."""


def installed(platform: str, core_dir: Path = pio_core.CORE_DIR) -> bool:
    """Whether the core holds the platform (PlatformIO keeps `name` or `name@version` folders)."""
    root = core_dir / "platforms"
    return root.is_dir() and any(p.name == platform or p.name.startswith(f"{platform}@") for p in root.iterdir())


def build(board: Board, prepared, *, runtime: str, profile: bool, tflm_dir: Path | None = None,
          kernels: str | None = None) -> Firmware:
    if tflm_dir and runtime != "tflm":
        console.warning(f"--tflm-dir is only used by the tflm runtime, not {runtime}")
    started = time.monotonic()
    fw_dir = Path(prepared.dir) / "firmware"
    library, umbrella = TFLM_LIBRARY.get(board.pio_platform, TFLM_DEFAULT)
    # with a local TFLM tree: the archive built from it (offline); else the registry's Arduino library
    local = runtime == "tflm" and tflm_library.given(tflm_dir) and tflm_library.supports(board.cpu)
    if runtime == "tflm" and tflm_library.given(tflm_dir) and not local:
        console.warning(f"a local TFLM tree builds Arm Cortex-M cores only; {board.id} ({board.cpu}) gets the "
                        "registry's TFLM library")
    flags = tail.tflm_project_flags(tail.tflm_library_for(board, tflm_dir, kernels)) if local else []
    model = tail.model_sources(board, prepared, runtime, fw_dir / "generated", profile=profile,
                               umbrella=None if local else umbrella)
    lib_deps = [library] if runtime == "tflm" and not local else []
    tail.check_fit(board, prepared, runtime, model.arena_bytes)
    proj = project.write_real(fw_dir, board, model, profile=profile, lib_deps=lib_deps, extra_flags=flags)
    if not installed(board.pio_platform):
        raise PlatformMissing(
            f"project ready in {proj}, but PlatformIO's '{board.pio_platform}' platform ({board.pio_framework} framework,"
            f" toolchain{', TFLM library' if lib_deps else ''}) is not installed",
            f"connect to the internet once and run `PLATFORMIO_CORE_DIR={pio_core.CORE_DIR} pio run` in that folder")
    return tail.compile_project(board, model, proj, started=started, profile=profile, model_hash=tail.tflite_hash(prepared))
