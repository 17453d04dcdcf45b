"""The on-device runtimes, each fact once: what it is, which kinds of target
can build it and what it does (the build, the fit estimate, the report and
the sweep ask here instead of comparing names). Every command that takes
`--runtime` checks it here."""

from dataclasses import dataclass

from toolchain.boards.errors import BoardError
from toolchain.boards.schema import RUNTIMES, Board
from toolchain.boards.platformio import target_kind

KIB = 1024


@dataclass(frozen=True)
class Runtime:
    name: str
    kinds: tuple[str, ...]  # target kinds that build it (target_kind: qemu, platformio, linux)
    what: str
    compiles: bool          # firmware compiled from generated sources (False: the device loads the .tflite itself)
    ahead_of_time: bool     # the model compiled to C by toolchain/aot: the arena planned before the build (plan.json)
    links_tflm: bool        # links TensorFlow Lite Micro (a local tree's archive, or the board platform's library)
    code_bytes: int         # flash of the runtime's own code besides the model, for the fit estimate (build/fit.py)
    ram_bytes: int          # its static RAM besides the arena, for the same estimate
    project_dir: str        # its QEMU project under the model's build folder: one per runtime, so
                            # `bench --compare` rebuilds neither


TABLE = {r.name: r for r in (
    Runtime("aot", ("qemu", "platformio", "linux"), "the project's ahead-of-time C: no interpreter",
            compiles=True, ahead_of_time=True, links_tflm=False, code_bytes=24 * KIB, ram_bytes=1 * KIB,
            project_dir="firmware"),
    Runtime("tflm", ("qemu", "platformio"), "TensorFlow Lite Micro with the model's exact op resolver",
            compiles=True, ahead_of_time=False, links_tflm=True, code_bytes=96 * KIB, ram_bytes=4 * KIB,
            project_dir="firmware-tflm"),
    Runtime("litert", ("linux",), "LiteRT (the TFLite interpreter) loading the .tflite on a Linux board",
            compiles=False, ahead_of_time=False, links_tflm=False, code_bytes=0, ram_bytes=0,
            project_dir="firmware-litert"),
)}
assert tuple(TABLE) == RUNTIMES  # the board schema validates against the same names
# AOT when the compiler covers every op of the deployed model, else TFLM (build/targets.py decides, once the
# model is known); what a board whose default is aot gets when no runtime is named
AUTO = "auto"


def check_name(runtime: str | None) -> None:
    """Refuse a runtime name no board knows, before any work is done."""
    if runtime is not None and runtime != AUTO and runtime not in TABLE:
        raise BoardError(f"unknown runtime '{runtime}'", f"use one of: {AUTO}, {', '.join(TABLE)}")


def named(runtime: str) -> Runtime:
    """The runtime called `runtime`; BoardError for a name no board knows."""
    check_name(runtime)
    return TABLE[runtime]


def find(runtime: str | None) -> Runtime | None:
    """The runtime called `runtime`, or None (a name recorded by another tool, e.g. the LiteRT runner's)."""
    return TABLE.get(runtime or "")


def for_board(board: Board, runtime: str | None) -> str:
    """The runtime to build for `board` (its default when None, auto for an aot default); BoardError when that kind
    of target cannot. `auto` stays auto where the board builds both aot and tflm."""
    check_name(runtime)
    runtime = runtime or (AUTO if board.runtime == "aot" else board.runtime)
    kind = target_kind(board)
    if runtime == AUTO:
        both = {"aot", "tflm"} <= set(supported(board))
        return AUTO if both else ("aot" if "aot" in supported(board) else board.runtime)
    if kind not in TABLE[runtime].kinds:
        ok = [r.name for r in TABLE.values() if kind in r.kinds]
        raise BoardError(f"the {runtime} runtime cannot be built for {board.id}", f"use --runtime {' or '.join(ok)}")
    return runtime


def supported(board: Board) -> list[str]:
    kind = target_kind(board)
    return [r.name for r in TABLE.values() if kind in r.kinds]
