"""Does a model fit a board? An estimate made before anything is built.

Flash: the model's constants (the .tflite for TFLM, the emitted weights for
AOT) + the runtime's code + the framework's code. RAM: the arena + the
harness's buffers (input, a work copy of it, output) + the runtime's and the
framework's static RAM + a stack. Code sizes are round figures from builds of
this repository (`tests/realboards/test_cross_compile.py` prints the real ones)
and typical Arduino cores; they err on the large side so a refused model
really does not fit, and the ELF check after the build (`measured`) has the
last word. `check` serves every board, the QEMU ones included.
"""

from dataclasses import dataclass

from toolchain.boards import Board, BoardError, all_boards, runtimes

KIB = 1024

# what the board's framework brings before any application code
FRAMEWORK = {"arduino": (64 * KIB, 16 * KIB), "none": (4 * KIB, 1 * KIB)}
STACK = 8 * KIB


@dataclass(frozen=True)
class Estimate:
    flash: dict[str, int]
    ram: dict[str, int]
    runtime: str | None = None  # None: a built firmware's own sizes

    @property
    def flash_bytes(self) -> int:
        return sum(self.flash.values())

    @property
    def ram_bytes(self) -> int:
        return sum(self.ram.values())

    def fits(self, board: Board) -> bool:
        return self.flash_bytes <= board.flash_bytes and self.ram_bytes <= board.ram_bytes


def estimate(board: Board, *, runtime: str, model_bytes: int, arena_bytes: int, input_bytes: int,
             output_bytes: int) -> Estimate:
    rt = runtimes.named(runtime)
    fw_code, fw_ram = FRAMEWORK.get(board.pio_framework, FRAMEWORK["arduino"])
    return Estimate(
        flash={"model": model_bytes, f"{runtime} runtime": rt.code_bytes, "framework": fw_code},
        ram={"arena": arena_bytes, "harness buffers": 2 * input_bytes + output_bytes, f"{runtime} runtime": rt.ram_bytes,
             "framework": fw_ram, "stack": STACK},
        runtime=runtime,
    )


def measured(flash_bytes: int, ram_bytes: int, stack_bytes: int) -> Estimate:
    """A built firmware's own sizes (from its ELF), checked like an estimate."""
    return Estimate(flash={"firmware": flash_bytes}, ram={"static RAM": ram_bytes, "stack": stack_bytes})


def check(board: Board, est: Estimate, what: str) -> None:
    """BoardError with the numbers and what to try when `est` exceeds the board."""
    if est.fits(board):
        return
    over = []
    if est.flash_bytes > board.flash_bytes:
        over.append(f"flash {est.flash_bytes:,} B > {board.flash_bytes:,} B ({_parts(est.flash)})")
    if est.ram_bytes > board.ram_bytes:
        over.append(f"RAM {est.ram_bytes:,} B > {board.ram_bytes:,} B ({_parts(est.ram)})")
    # real hardware only: a QEMU Cortex-M board is no place to deploy to
    others = [b.id for b in all_boards() if b.id != board.id and b.emulator != "qemu-system-arm" and est.fits(b)]
    hints = advice(board, est)
    hints += [f"pick a bigger board ({', '.join(others)})"] if others else []
    raise BoardError(f"{what} does not fit {board.id}: {'; '.join(over)}", "; ".join(hints))


def advice(board: Board, est: Estimate) -> list[str]:
    """What would make it fit, for the model in hand. Every model that reaches a board is int8 already, and
    weights are stored dense (pruning zeroes them but does not shrink the array), so the only way to less flash
    is fewer weights; the arena shrinks with smaller activations, and the AOT runtime plans a smaller one."""
    hints = []
    flash_over = est.flash_bytes - board.flash_bytes
    model = est.flash.get("model", 0)
    if flash_over > 0 and model:
        share = min(1.0, flash_over / model)
        hints.append(f"the model is int8 already and stored dense: it needs about {share:.0%} fewer weights "
                     f"({flash_over:,} B), e.g. fewer filters or units in its widest layers (the recipe's model.py)")
    ram_over = est.ram_bytes - board.ram_bytes
    arena = est.ram.get("arena", 0)
    if ram_over > 0 and arena:
        hints.append(f"the arena must lose about {min(ram_over, arena):,} B: a smaller input or narrower early layers")
        rt = runtimes.find(est.runtime)
        if rt and rt.compiles and not rt.ahead_of_time:
            planners = [r.name for r in runtimes.TABLE.values() if r.ahead_of_time]
            hints.append(f"the {planners[0]} runtime plans a smaller arena than {rt.name} (--runtime {planners[0]})")
    elif ram_over > 0 or (flash_over > 0 and not model):
        hints.append("the firmware as built is too big: a smaller model or a board with more memory")
    return hints


def _parts(parts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in parts.items() if v)
