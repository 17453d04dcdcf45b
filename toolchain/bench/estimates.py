"""Cycle estimates during a bench on QEMU: which boards to estimate for (checked
before anything is built), the cycle-model plugin's QEMU arguments for one
firmware, and the estimate of the timed runs read back from its output.

The plugin writes its totals each time the guest enters `tm_port_micros`, which
the harness calls right before and right after the timed runs of `infer`; the
difference of the last two is the timed runs, like the `m-lap-us-` laps.
"""

from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from toolchain.boards import Board
from toolchain.cycles import counts, estimate, plugin
from toolchain.cycles.errors import EstimateError
from toolchain.errors import UsageError

COUNTS_FILE = "cycles.txt"  # beside bench.json: the plugin's raw totals of the last bench
MARK_SYMBOL = "tm_port_micros"


@dataclass(frozen=True)
class Request:
    boards: list[str]
    rate_per_min: float | None
    battery: estimate.Battery | None


def request(board: Board, estimate_for: list[str] | None, rate: str | None, battery: str | None) -> Request | None:
    """What to estimate when benching on `board`; None when it is not a QEMU Cortex-M board and nothing was asked."""
    asked = [b for b in (estimate_for or []) if b]
    if battery and not rate:
        raise UsageError("--battery needs --rate", "add e.g. --rate 60/min")
    if board.emulator != "qemu-system-arm":
        if asked or rate:
            raise UsageError("--estimate-for and --rate need the cycle model on QEMU",
                             "bench on a QEMU board, e.g. --board qemu-m4 --estimate-for " + board.id)
        return None
    ids = ([board.id] if board.estimate is not None else []) + [b for b in asked if b != board.id]
    for i in ids:
        if (target := estimate.estimable(i)).cpu != board.cpu:
            raise EstimateError(f"the firmware on {board.id} is built for a {board.cpu}, board '{i}' has a "
                                f"{target.cpu}", "bench on the QEMU board of that core (see `toolchain boards`)")
    if not ids:
        return None
    per_min = estimate.parse_rate(rate) if rate else None
    return Request(ids, per_min, estimate.battery(battery or "CR2032") if rate else None)


def qemu_args(elf: Path, directory: Path) -> tuple[list[str], Path]:
    """The `-plugin` arguments for `elf` and the file it will write; EstimateError when the plugin cannot be had."""
    lib = plugin.library()
    plugin.check_loads(lib)
    mark = symbol_address(elf, MARK_SYMBOL)
    out = Path(directory) / COUNTS_FILE
    out.unlink(missing_ok=True)
    return plugin.qemu_args(lib, out, mark), out


def symbol_address(elf: Path, name: str) -> int:
    try:
        with open(elf, "rb") as f:
            for section in ELFFile(f).iter_sections():
                if isinstance(section, SymbolTableSection):
                    for s in section.get_symbol_by_name(name) or []:
                        return s["st_value"] & ~1  # the Thumb bit is not part of the address
    except (OSError, ELFError) as e:
        raise EstimateError(f"cannot read the symbols of {elf}: {e}") from e
    raise EstimateError(f"{elf.name} has no {name}, where the cycle model marks the timed runs",
                        "rebuild the firmware with this toolchain's QEMU port")


def timed_runs(out: Path, runs: int, lap_instructions: int | None, req: Request) -> dict:
    """bench.json's `estimate` from the last timed `infer` (`runs` runs) in the plugin's output."""
    marks = counts.read(out)
    if len(marks) < 2:
        raise EstimateError("the cycle model saw no timed runs", "check the firmware calls tm_port_micros around them")
    per_run = (marks[-1] - marks[-2]).scaled(runs)
    return estimate.summary(per_run, req.boards, req.rate_per_min, req.battery, lap_instructions)
