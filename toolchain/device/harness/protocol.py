"""Parsing of the device's replies (MLPerf Tiny / EEMBC text protocol plus our
extensions; the commands, reply keys and limits are toolchain/harness_protocol.py's
table). Pure functions over lines, so recorded sessions can test them.

A reply is every line before `m-ready`. Lines look like `m-<key>-[<body>]`,
`m-lap-<unit>-<n>`, `m-[<message>]` or `e-[<reason>]`; anything else is garbage.

`m-info-link-[124,file]` says what the device takes beyond the MLPerf runner's
31-byte `db` lines: longer lines, and `db file PATH%` (QEMU semihosting).

A validation build answers `validate%` with, per layer, `m-tensor-[index,bytes,
fletcher16]` and the bytes as `m-hex-[...]` lines (or appended to the host file
of `validate file PATH%`), then `m-validate-[layers,bytes]`.
"""

import re
from dataclasses import dataclass, field

from toolchain import harness_protocol as table
from toolchain import modelinfo

READY = table.READY
MLPERF_DB_BYTES = table.LIMITS.harness_mlperf_db_bytes  # every device takes these
_BRACKET = re.compile(r"^m-(?:([a-z][a-z-]*)-)?\[([\x20-\x5c\x5e-\x7e]*)\]$")
_LAP = re.compile(rf"^{table.LAP}([a-z]+)-(\d+)$")
_ERROR = re.compile(rf"^{table.ERROR}\[([\x20-\x5c\x5e-\x7e]*)\]$")


class Fields(dict):
    """Bracket bodies by reply key ("" for m-[...]). Any key parses; reading one that the protocol's table does not
    have is a bug of ours, never the device's, and says so."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(_known(key))

    def get(self, key: str, default=None):
        return super().get(_known(key), default)


def _known(key: str) -> str:
    if key not in table.REPLIES:
        raise AssertionError(f"'{key}' is no reply key of toolchain/harness_protocol.py's table")
    return key


@dataclass
class Reply:
    fields: Fields = field(default_factory=Fields)  # key -> bracket body ("" key for m-[...])
    errors: list[str] = field(default_factory=list)
    garbage: list[str] = field(default_factory=list)
    laps: list[tuple[str, int]] = field(default_factory=list)  # (unit, value) of each m-lap- line
    hex_lines: list[str] = field(default_factory=list)  # every m-hex- body, in order (one key, many lines)

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
            # the MLPerf runner's timestamps; our own `m-runs-[...]` carries the per-run figures
            r.laps.append((m.group(1), int(m.group(2))))
        elif m := _BRACKET.match(line):
            r.fields[m.group(1) or ""] = m.group(2)
            if m.group(1) == "hex":
                r.hex_lines.append(m.group(2))
        else:
            r.garbage.append(line)
    return r


def tensor_header(body: str) -> tuple[int, int, int]:
    """`m-tensor-[3,512,4660]` body -> (layer index, bytes, Fletcher-16); ValueError when malformed."""
    index, nbytes, check = ints(body)
    return index, nbytes, check


def floats(body: str) -> list[float]:
    """`m-results-[1.5e0,-2e-1]` body -> floats; ValueError when malformed."""
    return [float(v) for v in body.split(",")] if body else []


def ints(body: str) -> list[int]:
    return [int(v) for v in body.split(",")] if body else []


def quant(body: str) -> tuple[int, str, float, int]:
    """`m-info-input-[64,int8,1e0,0]` body -> (count, dtype, scale, zero point)."""
    n, dtype, scale, zp = body.split(",")
    return int(n), dtype, float(scale), int(zp)


def link(body: str | None) -> tuple[int, bool]:
    """`m-info-link-` body -> (bytes per `db` line, `db file` offered); a device without the line takes MLPerf's
    31 bytes and no file. ValueError when malformed."""
    if body is None:
        return MLPERF_DB_BYTES, False
    per_line, *offers = body.split(",")
    if int(per_line) < 1:
        raise ValueError(f"db line of {per_line} bytes")
    return int(per_line), table.LINK_FILE in offers


def hex_lines(data: bytes, per_line: int = MLPERF_DB_BYTES) -> list[str]:
    """The `db <hex>` commands that load `data`, at most `per_line` bytes each."""
    return [table.line("db", data[i:i + per_line].hex()) for i in range(0, len(data), per_line)]


def fletcher16(data: bytes) -> int:
    """Same as the device's tm_harness_io_fletcher16."""
    a = b = 0
    for byte in data:
        a = (a + byte) % 255
        b = (b + a) % 255
    return b << 8 | a


def raw_outputs(values: list[float], scale: float, zero_point: int, dtype: str) -> bytes:
    """The device's output bytes, back from its dequantized floats (exact: 9 printed digits)."""
    import numpy as np

    v = np.asarray(values, dtype=np.float64)
    if dtype == "float32" or scale == 0:  # unquantized: the floats themselves
        return v.astype(modelinfo.DTYPES["float32"].numpy).tobytes()
    np_type = np.dtype(modelinfo.DTYPES[dtype].numpy)
    lo, hi = np.iinfo(np_type).min, np.iinfo(np_type).max
    return np.clip(np.round(v / scale) + zero_point, lo, hi).astype(np_type).tobytes()
