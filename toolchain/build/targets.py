"""build(): the board's builder (qemu, platformio, linux) picked from its target kind; flashed() for what was built."""

from pathlib import Path

from toolchain import boards, modelinfo
from toolchain.aot.errors import AotError
from toolchain.aot.lower import LOWERINGS, lower_graph
from toolchain.aot.reader import read_tflite
from toolchain.boards import runtimes
from toolchain.boards.platformio import target_kind
from toolchain.build import linux, platformio, qemu, tflm_library
from toolchain.build.errors import BuildError
from toolchain.build.firmware import Firmware, record, recorded
from toolchain.console import console
from toolchain.pipeline import prepare

__all__ = ["Firmware", "build", "flashed"]

BUILDERS = {"qemu": qemu.build, "platformio": platformio.build, "linux": linux.build}


def build(model_ref: str, board_id: str, *, runtime: str | None = None, seed: int = 0, profile: bool = False,
          tflm_dir: Path | None = None, kernels: str | None = None, variant: str | None = None,
          validate: bool = False, personalize: bool = False) -> Firmware:
    """`tflm_dir`/`kernels` matter to the tflm runtime only: the TFLM tree (else TOOLCHAIN_TFLM_DIR) and its
    kernel set (cmsis-nn or reference; default: cmsis-nn on cores with the DSP extension). `variant`: which
    model of the last optimize plan to deploy (default: its int8). `validate`: the validation firmware
    (`toolchain validate`), in its own project folder, that returns every layer's output. `personalize`: the
    personalization firmware (`toolchain personalize`), in its own project folder, with a trainable head."""
    board = boards.load(board_id)
    runtime = runtimes.for_board(board, runtime)
    if kernels is not None and kernels not in tflm_library.KERNELS:
        raise BuildError(f"unknown kernel set '{kernels}'", f"use one of: {', '.join(tflm_library.KERNELS)}")
    prepared = prepare(model_ref, board.id, seed, variant)
    runtime = decided(runtime, prepared.tflite)
    fw = BUILDERS[target_kind(board)](board, prepared, runtime=runtime, profile=profile, tflm_dir=tflm_dir,
                                      kernels=kernels, validate=validate, personalize=personalize)
    fw.prepared = prepared
    if not validate and not personalize:  # the manifest's firmware is the one bench measures
        record(fw)
    return fw


def decided(runtime: str, tflite: Path) -> str:
    """`runtime` as given, or what auto picks for this model."""
    return auto_runtime(tflite) if runtime == runtimes.AUTO else runtime


def auto_runtime(tflite: Path) -> str:
    """aot when the AOT compiler lowers every op of the model (one input, one output), else tflm; says which ops
    decided it, or which layer's variant the AOT compiler refused."""
    info = modelinfo.summarize(Path(tflite).read_bytes(), tflite)
    missing = [op for op in info.ops if op not in LOWERINGS]
    if len(info.inputs) != 1 or len(info.outputs) != 1:
        missing.append(f"{len(info.inputs)} inputs and {len(info.outputs)} outputs")
    if not missing:
        try:
            lower_graph(read_tflite(tflite))
        except AotError as e:
            console.step(f"runtime auto: tflm (the AOT compiler refused {e.message})")
            return "tflm"
        console.step("runtime auto: aot (the AOT compiler covers every op)")
        return "aot"
    console.step(f"runtime auto: tflm (the AOT compiler has no {', '.join(missing)})")
    return "tflm"


def flashed(model_ref: str, board_id: str, *, runtime: str, seed: int = 0, variant: str | None = None) -> Firmware:
    """What bench needs of a board flashed elsewhere (the model's hash, its test data), without building."""
    board = boards.load(board_id)
    prepared = prepare(model_ref, board.id, seed, variant)
    return recorded(board, prepared, decided(runtime, prepared.tflite))
