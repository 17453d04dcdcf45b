"""Real boards through PlatformIO: generate the project, check the fit, and
run `pio run` when the board's platform is installed.

Without internet the registry is unreachable; rather than letting `pio run`
fail after a minute of HTTP retries, the core's installed platforms are
checked first and the build stops with one line saying what PlatformIO must
download once, the generated project left ready to build.
"""

import shutil
import time
from pathlib import Path

from toolchain.boards import Board, runtimes
from toolchain.build import fit, gcc, pio_core, project, compile_steps, tflm_library
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


def build(board: Board, prepared, *, runtime: str, profile: bool, tflm_dir: Path | None = None, validate: bool = False,
          kernels: str | None = None, personalize: bool = False) -> Firmware:
    rt = runtimes.named(runtime)
    if tflm_dir and not rt.links_tflm:
        console.warning(f"--tflm-dir is only used by the tflm runtime, not {runtime}")
    started = time.monotonic()
    fw_dir = Path(prepared.dir) / ("firmware-validate" if validate else "firmware-personalize" if personalize else "firmware")
    library, umbrella = TFLM_LIBRARY.get(board.pio_platform, TFLM_DEFAULT)
    # with a local TFLM tree: the archive built from it (offline); else the registry's Arduino library
    local = rt.links_tflm and tflm_library.given(tflm_dir) and tflm_library.supports(board.cpu)
    if rt.links_tflm and tflm_library.given(tflm_dir) and not local:
        console.warning(f"a local TFLM tree builds Arm Cortex-M cores only; {board.id} ({board.cpu}) gets the "
                        "registry's TFLM library")
    archive = compile_steps.tflm_library_for(board, tflm_dir, kernels) if local else None
    flags = compile_steps.tflm_project_flags(archive) if archive else []
    model = compile_steps.model_sources(board, prepared, runtime, fw_dir / "generated", profile=profile, validate=validate,
                               umbrella=None if local else umbrella, personalize=personalize)
    lib_deps = [library] if rt.links_tflm and not local else []
    compile_steps.check_fit(board, prepared, runtime, model.arena_bytes)
    proj = project.write_real(fw_dir, board, model, profile=profile, lib_deps=lib_deps, extra_flags=flags)
    if not installed(board.pio_platform):
        offline_check(board, model, fw_dir / "offline-check", archive)
        raise PlatformMissing(
            f"project ready in {proj}, but PlatformIO's '{board.pio_platform}' platform ({board.pio_framework} framework,"
            f" toolchain{', TFLM library' if lib_deps else ''}) is not installed",
            f"connect to the internet once and run `PLATFORMIO_CORE_DIR={pio_core.CORE_DIR} pio run` in that folder")
    return compile_steps.compile_project(board, model, proj, started=started, profile=profile, model_hash=compile_steps.tflite_hash(prepared))


def offline_check(board: Board, model, out_dir: Path, library: tflm_library.TflmLibrary | None) -> None:
    """Without the board's platform: the same sources compiled with arm-none-eabi-gcc for its CPU and FPU
    (linked with the bare-metal port, --gc-sections), so the fit rests on real code and data sizes plus an
    estimate of the vendor core only. Skipped where that compiler or the TFLM archive is not at hand."""
    shutil.rmtree(out_dir, ignore_errors=True)  # an earlier check's ELF must not pass for this build's
    if board.core.family != "cortex-m" or (runtimes.named(model.runtime).links_tflm and library is None):
        return
    try:
        gcc.compiler(gcc.BARE_METAL)
    except BuildError:
        console.info("no arm-none-eabi-gcc: the fit rests on the estimate alone")
        return
    with console.status(f"offline compile check for {board.id} (arm-none-eabi-gcc, {board.cpu})"):
        elf, _ = gcc.build(board, model, out_dir, library=library)
    est = offline_estimate(board, elf)
    console.table(f"{model.name} on {board.id}: offline compile check (no {board.pio_framework} core linked)",
                  ["", "bytes", "board limit", "used"],
                  [["flash", f"{est.flash_bytes:,}", f"{board.flash_bytes:,}", f"{est.flash_bytes / board.flash_bytes:.1%}"],
                   ["RAM", f"{est.ram_bytes:,}", f"{board.ram_bytes:,}", f"{est.ram_bytes / board.ram_bytes:.1%}"]])
    fit.check(board, est, f"{model.name} ({model.runtime}, compiled offline)")


def offline_estimate(board: Board, elf: Path) -> fit.Estimate:
    """The offline check's ELF sizes plus the fit's estimate of what the board's own core adds."""
    size = gcc.size(board, elf)
    core_flash, core_ram = fit.FRAMEWORK.get(board.pio_framework, fit.FRAMEWORK["arduino"])
    return fit.Estimate(flash={"firmware (compiled)": size.flash, "vendor core (estimate)": core_flash},
                        # `size` counts the bare-metal port's stack region in bss; the board's core brings its own
                        ram={"static RAM (compiled)": size.data + size.bss - project.STACK_BYTES,
                             "vendor core (estimate)": core_ram, "stack (estimate)": fit.STACK})
