"""The on-device runtimes, each fact once: what it is and which kinds of
target can build it. Every command that takes `--runtime` checks it here."""

from dataclasses import dataclass

from toolchain.boards.errors import BoardError
from toolchain.boards.schema import RUNTIMES, Board
from toolchain.boards.platformio import target_kind


@dataclass(frozen=True)
class Runtime:
    name: str
    kinds: tuple[str, ...]  # target kinds that build it (target_kind: qemu, platformio, linux)
    what: str


TABLE = {r.name: r for r in (
    Runtime("aot", ("qemu", "platformio", "linux"), "the project's ahead-of-time C: no interpreter"),
    Runtime("tflm", ("qemu", "platformio"), "TensorFlow Lite Micro with the model's exact op resolver"),
    Runtime("litert", ("linux",), "LiteRT (the TFLite interpreter) loading the .tflite on a Linux board"),
)}
assert tuple(TABLE) == RUNTIMES  # the board schema validates against the same names
# AOT when the compiler covers every op of the deployed model, else TFLM (build/targets.py decides, once the
# model is known); what a board whose default is aot gets when no runtime is named
AUTO = "auto"


def check_name(runtime: str | None) -> None:
    """Refuse a runtime name no board knows, before any work is done."""
    if runtime is not None and runtime != AUTO and runtime not in TABLE:
        raise BoardError(f"unknown runtime '{runtime}'", f"use one of: {AUTO}, {', '.join(TABLE)}")


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
