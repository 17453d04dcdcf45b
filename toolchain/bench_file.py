"""bench.json: the results of one bench run, key by key (`BenchResult`), and their one reader (`read`).

The same contract holds for `bench-profile.json`, `bench-<runtime>.json` (`bench --compare`) and every
`runs/<time>-<runtime>.json`. bench writes them; report and history read them back through `read`, never
through bench's code. A file carries `version`; one written before versions (no `version`) has the same
keys and is read as it is, one of a newer toolchain is refused with what to do.

A leaf: it imports errors only.
"""

import json
from pathlib import Path
from typing import TypedDict

from toolchain.errors import ToolchainError

VERSION = 1


class BenchFileError(ToolchainError):
    """A results file this toolchain cannot read."""


class Latency(TypedDict, total=False):
    unit: str                       # "instructions (emulated)" on QEMU, else the board timer's unit
    instructions_median: int        # emulated boards; `<unit>_median` elsewhere (e.g. us_median)
    runs: int
    per_run: list[int]
    ticks_median: int
    units_per_tick: float
    lap_instructions_per_run: int   # QEMU: the MLPerf runner's m-lap-us- pair turned back into instructions
    layers: list[dict]              # profiled builds: {index, op, value} per layer
    measured_on: str                # only "device" is the board's own time


class Memory(TypedDict, total=False):  # bytes; None where the target cannot tell
    flash_bytes: int | None
    ram_bytes: int | None
    stack_reserved_bytes: int | None
    arena_bytes: int | None
    io_bytes: int                   # model input/output buffers outside the arena
    stack_bytes: int | None         # stack high-water mark, by painting
    board_flash_bytes: int
    board_ram_bytes: int


class Accuracy(TypedDict, total=False):
    samples: int
    agreement: float                # device outputs equal to the host int8 ones
    max_abs_diff: int
    top1_agreement: float
    device: float | None            # against the labels (classification)
    host_int8: float | None
    mae_device: float               # regression
    mae_host_int8: float
    output_digests: list[str]       # per sample, to compare runtimes without keeping their outputs
    predictions: dict               # device, host_int8, label: per-sample classes for confusion matrices


class Firmware(TypedDict, total=False):
    elf: str | None
    tflite_hash: str                # first 16 hex chars of the deployed .tflite's sha256
    build_seconds: float
    profile: bool
    layers: list


class BatteryLife(TypedDict, total=False):  # an estimate: sleep current between inferences, MCU alone
    rate_per_min: float
    battery: str                    # CR2032, 2xAA, 2xAAA
    capacity_mah: float
    average_current_ua: float
    days: float
    source: str                     # the battery's datasheet


class BoardEstimate(TypedDict, total=False):  # every figure an estimate of the cycle model
    board: str
    core: str                       # [build] cpu
    clock_hz: int
    flash_wait_states: int
    flash_cache: str                # none, cache or accelerator
    cycles: int
    cycles_per_instruction: float | None
    ms: float                       # at clock_hz
    run_current_ua: float           # boards with currents only
    uj: float | None                # None: no currents in the board file
    battery: BatteryLife | None     # with --rate
    sources: dict[str, str]         # figure -> datasheet and table


class Estimate(TypedDict, total=False):  # QEMU cycle model (docs/estimates.md)
    label: str                      # says these are estimates
    how: str
    not_modelled: str
    instructions_per_run: int       # the plugin's count over the timed runs, per run
    icount_instructions_per_run: int | None  # -icount's over the same runs (lap microseconds x 1,000)
    classes_per_run: dict[str, int] # timing class -> count per run
    boards: list[BoardEstimate]     # the QEMU board first, then --estimate-for


class BenchResult(TypedDict, total=False):
    version: int
    model: str
    board: str
    runtime: str
    variant: str                    # the deployed .tflite's stem: int8, qat, ...
    status: str                     # running, complete, failed or interrupted
    error: str | None
    wall_seconds: float
    firmware: Firmware
    latency: Latency | None
    memory: Memory | None
    accuracy: Accuracy | None
    faults: list[str]               # link faults the harness recovered from
    streaming: dict                 # how the inputs went in and how fast
    audio: dict                     # audio models: the front-end and the network apart
    estimate: dict                  # QEMU: cycles, ms, uJ and battery life from the cycle model (bench/estimates.py)
    estimate_note: str              # why there is no estimate
    compare: dict                   # bench.json after `bench --compare`: the side-by-side table
    estimate: Estimate              # QEMU with the cycle model: cycles, ms, uJ, battery life (estimates)
    estimate_note: str              # why there is no estimate, in one line


def read(path: Path) -> BenchResult | None:
    """The results in `path`, None when there is no such file."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        r = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise BenchFileError(f"{path} is unreadable ({e})", "rerun `toolchain bench` to write it again") from None
    if not isinstance(r, dict):
        raise BenchFileError(f"{path} holds no bench results", "rerun `toolchain bench` to write it again")
    if r.get("version", VERSION) > VERSION:
        raise BenchFileError(f"{path} was written by a newer toolchain (results version {r['version']}, this one "
                             f"reads {VERSION})", "update toolchain, or rerun `toolchain bench` to write it again")
    return r  # type: ignore[return-value]
