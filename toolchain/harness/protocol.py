"""Parsing of the device's replies (MLPerf Tiny / EEMBC text protocol plus our
extensions). Pure functions over lines, so recorded sessions can test them.

A reply is every line before `m-ready`. Lines look like `m-<key>-[<body>]`,
`m-lap-<unit>-<n>`, `m-[<message>]` or `e-[<reason>]`; anything else is garbage.
"""

import re
from dataclasses import dataclass, field

READY = "m-ready"
_BRACKET = re.compile(r"^m-(?:([a-z][a-z-]*)-)?\[([\x20-\x5c\x5e-\x7e]*)\]$")
_LAP = re.compile(r"^m-lap-([a-z]+)-(\d+)$")
_ERROR = re.compile(r"^e-\[([\x20-\x5c\x5e-\x7e]*)\]$")


@dataclass
class Reply:
    fields: dict[str, str] = field(default_factory=dict)  # key -> bracket body ("" key for m-[...])
    laps: list[int] = field(default_factory=list)
    lap_unit: str | None = None
    errors: list[str] = field(default_factory=list)
    garbage: list[str] = field(default_factory=list)

    @property
    def boot(self) -> str | None:
        """The boot banner's body when the device (re)started during this reply."""
        return self.fields.get("boot")


def parse_reply(lines: list[str]) -> Reply:
    r = Reply()
    for line in lines:
        if m := _ERROR.match(line):
            r.errors.append(m.group(1))
        elif m := _LAP.match(line):
            r.lap_unit = m.group(1)
            r.laps.append(int(m.group(2)))
        elif m := _BRACKET.match(line):
            r.fields[m.group(1) or ""] = m.group(2)
        else:
            r.garbage.append(line)
    return r


def floats(body: str) -> list[float]:
    """`m-results-[1.5e0,-2e-1]` body -> floats; ValueError when malformed."""
    return [float(v) for v in body.split(",")] if body else []


def ints(body: str) -> list[int]:
    return [int(v) for v in body.split(",")] if body else []


def quant(body: str) -> tuple[int, str, float, int]:
    """`m-info-input-[64,int8,1e0,0]` body -> (count, dtype, scale, zero point)."""
    n, dtype, scale, zp = body.split(",")
    return int(n), dtype, float(scale), int(zp)


def hex_lines(data: bytes, per_line: int = 31) -> list[str]:
    """The `db <hex>` commands that load `data`, at most `per_line` bytes each."""
    return [f"db {data[i:i + per_line].hex()}" for i in range(0, len(data), per_line)]
