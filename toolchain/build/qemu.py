"""The QEMU boards' builder: the repository's local dev-platform
(firmware/platforms/), built offline by PlatformIO."""

import time
from pathlib import Path

from toolchain.boards import Board, runtimes
from toolchain.build import project, compile_steps
from toolchain.build.firmware import Firmware


def build(board: Board, prepared, *, runtime: str, profile: bool, tflm_dir: Path | None = None,
          kernels: str | None = None, validate: bool = False, personalize: bool = False) -> Firmware:
    started = time.monotonic()
    compile_steps.check_fit(board, prepared, runtime, 0, ", before planning its arena")
    # the tree is checked (and the library built) before any model code is generated
    rt = runtimes.named(runtime)
    flags = compile_steps.tflm_project_flags(compile_steps.tflm_library_for(board, tflm_dir, kernels)) if rt.links_tflm else []
    fw_dir = compile_steps.firmware_dir(prepared, runtime, validate, personalize)
    model = compile_steps.model_sources(board, prepared, runtime, fw_dir / "generated", profile=profile,
                                        validate=validate, personalize=personalize)
    compile_steps.check_fit(board, prepared, runtime, model.arena_bytes)
    proj = project.write(fw_dir, board, model, profile=profile, extra_flags=flags)
    return compile_steps.compile_project(board, model, proj, started=started, profile=profile, model_hash=compile_steps.tflite_hash(prepared))
