"""Counts per inference turned into what a user budgets in, per board: estimated
cycles at the board's core and flash, milliseconds at its clock, microjoules
from its datasheet run current, and battery life at a rate of inferences.

Every figure here is an estimate from a model, labelled so wherever it is shown.
Energy counts the MCU alone at its datasheet typical current, fed straight from
the battery (no regulator loss, no board LEDs or sensors).
"""

from dataclasses import dataclass

from toolchain import boards
from toolchain.boards import Board
from toolchain.cycles import timing
from toolchain.cycles.counts import Counts
from toolchain.cycles.errors import EstimateError

LABEL = "estimate (QEMU cycle model, Cortex-M4 TRM timings; not measured)"
HOW = ("instructions are counted exactly on QEMU; each is priced by its Cortex-M4 timing class, flash wait states "
       "are added where no cache hides them, and energy is the datasheet run current x supply x time")


@dataclass(frozen=True)
class Battery:
    capacity_mah: float
    volts: float
    source: str


BATTERIES = {
    "CR2032": Battery(225.0, 3.0, "Panasonic CR2032 datasheet: nominal capacity 225 mAh, 3 V"),
    "2xAA": Battery(2850.0, 3.0, "Energizer E91 (alkaline AA) datasheet: about 2850 mAh at 25 mA to 0.8 V; "
                                 "two in series, 3 V"),
    "2xAAA": Battery(1200.0, 3.0, "Energizer E92 (alkaline AAA) datasheet: about 1200 mAh at 25 mA to 0.8 V; "
                                  "two in series, 3 V"),
}


def battery(name: str) -> Battery:
    for known, b in BATTERIES.items():
        if known.lower() == name.lower().replace("×", "x"):
            return b
    raise EstimateError(f"unknown battery '{name}'", f"known batteries: {', '.join(BATTERIES)}")


def parse_rate(text: str) -> float:
    """Inferences per minute from `N/min` (or `N/s`, `N/h`)."""
    number, _, unit = text.replace(" ", "").partition("/")
    per = {"min": 1.0, "s": 60.0, "h": 1 / 60}.get(unit or "min")
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if per is None or value <= 0:
        raise EstimateError(f"--rate {text!r} is not a rate", "write it as N/min, e.g. --rate 60/min (also N/s, N/h)")
    return value * per


def estimable(board_id: str) -> Board:
    """The board, checked to have what an estimate needs; EstimateError says what is missing."""
    b = boards.load(board_id)
    timing.core_costs(b.cpu)
    if b.estimate is None:
        raise EstimateError(f"board '{board_id}' has no [estimate] table (clock, flash wait states, currents)",
                            "add one to its boards/*.toml, with the datasheet source of each figure")
    return b


def for_board(per_run: Counts, b: Board, rate_per_min: float | None = None, cell: Battery | None = None) -> dict:
    """The estimate of one inference on board `b`."""
    est = b.estimate
    cost = timing.costs(b.cpu, est.flash_wait_states, est.flash_cache)
    cycles = timing.cycles(per_run.classes, cost)
    seconds = cycles / b.clock_hz
    out = {"board": b.id, "core": b.cpu, "clock_hz": b.clock_hz, "flash_wait_states": est.flash_wait_states,
           "flash_cache": est.flash_cache, "cycles": cycles,
           "cycles_per_instruction": round(cycles / per_run.instructions, 3) if per_run.instructions else None,
           "ms": _sig(seconds * 1e3), "uj": None, "battery": None, "sources": dict(est.sources)}
    if est.power is None:
        return out
    p = est.power
    run_ua = p.run_ua_per_mhz * b.clock_hz / 1e6
    out["run_current_ua"] = round(run_ua, 1)
    out["uj"] = _sig(run_ua * p.supply_v * seconds)
    out["sources"].update({f"{k}": v for k, v in p.sources.items()})
    if rate_per_min is not None and cell is not None:
        out["battery"] = battery_life(seconds, run_ua, p.sleep_ua, rate_per_min, cell)
    return out


def battery_life(seconds: float, run_ua: float, sleep_ua: float, rate_per_min: float, cell: Battery) -> dict:
    """Days on `cell` running one inference of `seconds` at `rate_per_min`, asleep in between."""
    period = 60.0 / rate_per_min
    if seconds > period:
        raise EstimateError(f"an inference takes {seconds * 1e3:.1f} ms, longer than the {period * 1e3:.1f} ms between "
                            f"inferences at {rate_per_min:g}/min", "lower --rate")
    average_ua = (run_ua * seconds + sleep_ua * (period - seconds)) / period
    hours = cell.capacity_mah * 1000 / average_ua
    return {"rate_per_min": rate_per_min, "battery": next(k for k, v in BATTERIES.items() if v is cell),
            "capacity_mah": cell.capacity_mah, "average_current_ua": _sig(average_ua),
            "days": _sig(hours / 24), "source": cell.source}


def summary(per_run: Counts, board_ids: list[str], rate_per_min: float | None, cell: Battery | None,
            lap_instructions: int | None) -> dict:
    """bench.json's `estimate`: the counts per inference and one entry per board."""
    return {"label": LABEL, "how": HOW, "not_modelled": timing.NOT_MODELLED,
            "instructions_per_run": per_run.instructions,
            # -icount's own figure (virtual microseconds x 1000 per run), for the check that both count alike
            "icount_instructions_per_run": lap_instructions,
            "classes_per_run": per_run.classes,
            "boards": [for_board(per_run, estimable(i), rate_per_min, cell) for i in board_ids]}


def _sig(x: float) -> float:
    """Six significant figures: the model is not more precise, and small figures keep their digits."""
    return float(f"{x:.6g}")
