"""`toolchain boards`."""

import dataclasses
import json

from toolchain.cli import options
from toolchain.console import console


def boards_cmd(as_json: bool = options.JSON) -> None:
    """List the boards (boards/*.toml) with their limits.

    Example: toolchain boards --json
    """
    from toolchain.boards import all_boards

    found = all_boards()
    if as_json:
        console.out.print_json(json.dumps([dataclasses.asdict(b) for b in found]))
        return
    rows = [[b.id, b.name, b.cpu, "yes" if b.fpu != "none" else "no", "yes" if b.dsp else "no", f"{b.clock_hz / 1e6:g} MHz",
             f"{b.flash_bytes // 1024:,} KiB", f"{b.ram_bytes // 1024:,} KiB", b.runtime, b.machine if b.emulated else "-"]
            for b in found]
    console.table("boards", ["id", "name", "cpu", "fpu", "dsp", "clock", "flash", "ram", "runtime", "emulator"], rows)
