"""What every PlatformIO build shares, QEMU and real boards alike: the model's
sources for the runtime (an audio model's wrapped behind its front-end, for
every builder), the fit check before anything is compiled, `pio run`, and the
ELF's sizes checked against the board."""

import time
from contextlib import ExitStack
from pathlib import Path

from toolchain import manifest, modelinfo
from toolchain.audio import frontend_of
from toolchain.boards import Board, runtimes
from toolchain.build import aot_sources, audio, elf_size, fit, personalize_sources, pio, tflm_library, tflm_sources
from toolchain.build import project as projects
from toolchain.build.firmware import Firmware
from toolchain.build.sources import ModelSources
from toolchain.console import console
from toolchain.export import field_stats


def firmware_dir(prepared, runtime: str, validate: bool = False, personalize: bool = False) -> Path:
    """The runtime's project folder (one per runtime, so `bench --compare` rebuilds neither); the validation
    and personalization builds have their own beside it."""
    name = runtimes.named(runtime).project_dir
    return Path(prepared.dir) / (f"{name}-validate" if validate else f"{name}-personalize" if personalize else name)


def model_sources(board: Board, prepared, runtime: str, out_dir: Path, *, profile: bool,
                  umbrella: str | None = None, validate: bool = False, personalize: bool = False) -> ModelSources:
    """The model's C/C++ for `runtime`; `umbrella`: the header a TFLM Arduino library wants included first.
    An audio model's network goes behind its front-end: the firmware takes raw PCM. `validate`: every layer's
    output is handed to tm_validate_layer_done (firmware/harness/tm_validate.c, compiled with TM_VALIDATE).
    `personalize`: the trainable head and its commands (firmware/personalize/), AOT only."""
    frontend = frontend_of(prepared.manifest)
    tflite = Path(prepared.tflite)
    head = personalize_sources.head_of(tflite, runtime) if personalize else None
    with console.status(f"generating {runtime} sources for {prepared.name}"):
        if runtimes.named(runtime).ahead_of_time:
            model = aot_sources.sources(tflite, prepared.name, board, out_dir, profile=profile, validate=validate,
                                        embedding=head and head.embed_tensor)
        else:
            model = tflm_sources.sources(prepared, out_dir, umbrella, audio.NET_PREFIX if frontend else "tm_model",
                                         validate=validate)
        if frontend:
            model = audio.model_sources(model, frontend, tflite, out_dir, tflite_hash(prepared), profile=profile)
    model.defines += field_stats.build_defines(prepared.manifest.get("monitor_profile"))
    if validate:
        model.defines += ["TM_VALIDATE"]
    if head is not None:
        personalize_sources.add(model, prepared, head, board, out_dir)
    return model


def check_fit(board: Board, prepared, runtime: str, arena_bytes: int, when: str = "") -> None:
    """The estimate before building; with `arena_bytes` 0 it refuses a model whose weights alone are too big."""
    tflite = Path(prepared.tflite)
    inp, out = modelinfo.io(tflite)
    frontend = frontend_of(prepared.manifest)
    est = fit.estimate(board, runtime=runtime, model_bytes=tflite.stat().st_size, arena_bytes=arena_bytes,
                       input_bytes=frontend.clip_bytes if frontend else inp.nbytes, output_bytes=out.nbytes)
    fit.check(board, est, f"{prepared.name} ({runtime}{when})")


def compile_project(board: Board, model: ModelSources, project: Path, *, started: float, profile: bool,
                    model_hash: str) -> Firmware:
    """`pio run`, then the ELF's own sizes against the board."""
    elf = pio.elf_path(project, board.id)
    fresh = projects.up_to_date(project, elf)
    if fresh:
        console.step(f"build: {elf} is up to date")
    else:
        with console.status(f"pio run ({board.id})"):
            elf, _ = pio.run(project, board.id)
    size = elf_size.measure(elf)
    fit.check(board, fit.measured(size.flash_bytes, size.ram_bytes, size.stack_reserved_bytes), f"{model.name} firmware")
    return Firmware(board, model.name, model.runtime, project, elf, size, model.arena_bytes, model_hash,
                    time.monotonic() - started, profile, model.extra.get("layers", []), io_bytes=model.io_bytes,
                    rebuilt=not fresh, extra=model.extra)


def tflite_hash(prepared) -> str:
    return manifest.file_hash(prepared.tflite)[:16]


def tflm_library_for(board: Board, tflm_dir: Path | None, kernels: str | None) -> tflm_library.TflmLibrary:
    """The cached TFLM archive for the board's core: CMSIS-NN kernels where the core has the DSP extension (what
    a TFLM user gets), else the reference kernels; compiled on first use (minutes, with a progress bar)."""
    tree = tflm_library.resolve_tree(tflm_dir)
    kernels = kernels or ("cmsis-nn" if board.dsp else "reference")
    with ExitStack() as stack:
        bar = []

        def progress(done: int, total: int) -> None:
            if not bar:  # only a build that compiles shows a bar; a cached library returns at once
                bar.append(stack.enter_context(console.progress(
                    f"compiling TFLite Micro from {tree} ({kernels} kernels, {board.cpu}; once, then cached)", total)))
                bar.append(done)
            bar[0](done - bar[1])
            bar[1] = done

        return tflm_library.library(tree, board.cpu, board.fpu, kernels, progress=progress)


def tflm_project_flags(lib: tflm_library.TflmLibrary) -> list[str]:
    """platformio.ini build_flags that compile against the tree and link the cached archive."""
    return ([f"-I {d}" for d in lib.include_dirs] + [projects.ini_define(d) for d in lib.defines]
            + [f"-L{lib.archive.parent}", "-l" + lib.archive.stem.removeprefix("lib")])
