"""The schema of `boards/<id>.toml`: data only, the file name is the id.

Every table and key is listed here with its type; unknown keys are rejected so
a typo never silently falls back to a default. Errors name the file, the key
and what was expected.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from toolchain.boards import cpus
from toolchain.boards.errors import BoardError

NUMBER = (int, float)
RUNTIMES = ("aot", "tflm", "litert")
EMULATORS = ("none", "qemu-system-arm", "qemu-aarch64")

# table -> key -> (type, required); a key missing from the table is an error only when required
SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "": {"name": (str, True), "runtime": (str, True)},
    "build": {"cpu": (str, True), "mcu": (str, True), "fpu": (str, True), "f_cpu": (int, True)},
    "memory": {"flash": (int, True), "ram": (int, True)},
    "platformio": {"platform": (str, True), "board": (str, True), "framework": (str, True)},
    "upload": {"protocol": (str, True), "protocols": (list, True)},
    "harness": {"baud": (int, True), "usb_ids": (list, True), "url": (str, False)},
    "emulation": {"emulator": (str, True), "machine": (str, False)},
    # what the cycle and energy estimates need; each figure with its source (datasheet + table)
    "estimate": {"clock_source": (str, True), "flash_wait_states": (int, True), "flash_wait_states_source": (str, True),
                 "flash_cache": (str, True), "flash_cache_source": (str, True),
                 "run_current_ua_per_mhz": (NUMBER, False), "run_current_source": (str, False),
                 "sleep_current_ua": (NUMBER, False), "sleep_current_source": (str, False),
                 "supply_v": (NUMBER, False), "supply_source": (str, False)},
}
OPTIONAL_TABLES = ("estimate",)
FLASH_CACHES = ("none", "cache", "accelerator")  # "none": every flash wait state costs cycles
POWER_KEYS = ("run_current_ua_per_mhz", "run_current_source", "sleep_current_ua", "sleep_current_source", "supply_v",
              "supply_source")


@dataclass(frozen=True)
class Power:
    """Datasheet currents at the board's clock and supply, for energy and battery life."""
    run_ua_per_mhz: float
    sleep_ua: float
    supply_v: float
    sources: dict[str, str]


@dataclass(frozen=True)
class EstimateData:
    """The board facts cycle estimates need beyond the core: flash wait states and what hides them."""
    flash_wait_states: int
    flash_cache: str
    power: Power | None
    sources: dict[str, str]  # figure -> datasheet and table


@dataclass(frozen=True)
class Board:
    id: str
    name: str
    runtime: str            # default on-device runtime
    cpu: str
    mcu: str
    fpu: str                # "none" when there is no FPU
    clock_hz: int
    flash_bytes: int
    ram_bytes: int
    pio_platform: str       # a registry name, or a local platform under firmware/platforms/
    pio_board: str
    pio_framework: str      # "none" for bare metal
    upload_protocol: str
    upload_protocols: tuple[str, ...]
    baud: int
    usb_ids: tuple[str, ...]  # "VID:PID" in hex, for port discovery
    url: str | None         # fixed transport URL, when the board has one
    emulator: str           # "none" when the board only exists as hardware
    machine: str | None     # emulator machine name
    estimate: EstimateData | None = None  # [estimate]; None: no cycle or energy estimate for this board

    @property
    def core(self) -> cpus.Cpu:
        return cpus.TABLE[self.cpu]

    @property
    def dsp(self) -> bool:  # Arm DSP extension (SMLAD & co.)
        return self.core.dsp

    @property
    def emulated(self) -> bool:
        return self.emulator != "none"


def parse(path: Path) -> Board:
    """Load and validate one board file; BoardError says what is wrong."""
    path = Path(path)
    where = f"boards/{path.name}"
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise BoardError(f"{where} is not valid TOML: {e}", "fix the syntax") from e
    tables = {"": {k: v for k, v in data.items() if not isinstance(v, dict)}}
    for k, v in data.items():
        if isinstance(v, dict):
            if k not in SCHEMA:
                raise BoardError(f"{where}: unknown table [{k}]", f"expected one of: {', '.join('[' + t + ']' for t in SCHEMA if t)}")
            tables[k] = v
    for table, keys in SCHEMA.items():
        got = tables.get(table, {})
        label = f"[{table}]" if table else "top level"
        for k, v in got.items():
            if k not in keys:
                raise BoardError(f"{where}: unknown key '{k}' in {label}", f"expected one of: {', '.join(keys)}")
            typ = keys[k][0]
            if not isinstance(v, typ) or (typ in (int, NUMBER) and isinstance(v, bool)):
                raise BoardError(f"{where}: {label} '{k}' must be a {_type_name(typ)}, got {v!r}")
        for k, (_, required) in keys.items():
            if required and k not in got and not (table in OPTIONAL_TABLES and table not in tables):
                raise BoardError(f"{where}: missing key '{k}' in {label}")
    top, b, m, pio, up, h, em, est = (tables.get(t, {}) for t in SCHEMA)
    _one_of(where, "runtime", top["runtime"], RUNTIMES)
    _one_of(where, "[build] cpu", b["cpu"], tuple(cpus.TABLE))
    _one_of(where, f"[build] fpu of a {b['cpu']}", b["fpu"], cpus.TABLE[b["cpu"]].fpus)
    _one_of(where, "[emulation] emulator", em["emulator"], EMULATORS)
    for k in ("flash", "ram", "f_cpu"):
        if (m | b)[k] <= 0:
            raise BoardError(f"{where}: '{k}' must be positive, got {(m | b)[k]}")
    if em["emulator"] != "none" and not em.get("machine"):
        raise BoardError(f"{where}: [emulation] needs 'machine' when emulator is {em['emulator']}")
    for vid_pid in h["usb_ids"]:
        if not _is_vid_pid(vid_pid):
            raise BoardError(f"{where}: [harness] usb_ids entry {vid_pid!r} is not VID:PID", 'write it as "2341:805a"')
    if up["protocol"] not in up["protocols"]:
        raise BoardError(f"{where}: [upload] protocol '{up['protocol']}' is not in protocols {up['protocols']}")
    return Board(
        id=path.stem, name=top["name"], runtime=top["runtime"], cpu=b["cpu"], mcu=b["mcu"], fpu=b["fpu"],
        clock_hz=b["f_cpu"], flash_bytes=m["flash"], ram_bytes=m["ram"], pio_platform=pio["platform"],
        pio_board=pio["board"], pio_framework=pio["framework"], upload_protocol=up["protocol"],
        upload_protocols=tuple(up["protocols"]), baud=h["baud"], usb_ids=tuple(h["usb_ids"]), url=h.get("url"),
        emulator=em["emulator"], machine=em.get("machine"), estimate=_estimate(where, est) if est else None,
    )


def _estimate(where: str, est: dict) -> EstimateData:
    _one_of(where, "[estimate] flash_cache", est["flash_cache"], FLASH_CACHES)
    if est["flash_wait_states"] < 0:
        raise BoardError(f"{where}: [estimate] 'flash_wait_states' must be 0 or more, got {est['flash_wait_states']}")
    given = [k for k in POWER_KEYS if k in est]
    if given and len(given) != len(POWER_KEYS):
        missing = ", ".join(k for k in POWER_KEYS if k not in est)
        raise BoardError(f"{where}: [estimate] has some power figures but not {missing}",
                         "give all of run current, sleep current and supply voltage with their sources, or none")
    for k in ("run_current_ua_per_mhz", "sleep_current_ua", "supply_v"):
        if k in est and est[k] <= 0:
            raise BoardError(f"{where}: [estimate] '{k}' must be positive, got {est[k]}")
    sources = {k.removesuffix("_source"): v for k, v in est.items() if k.endswith("_source")}
    power = Power(float(est["run_current_ua_per_mhz"]), float(est["sleep_current_ua"]), float(est["supply_v"]),
                  {k: sources[k] for k in ("run_current", "sleep_current", "supply")}) if given else None
    return EstimateData(est["flash_wait_states"], est["flash_cache"], power, sources)


def _type_name(typ) -> str:
    return "number" if typ == NUMBER else typ.__name__


def _one_of(where: str, key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise BoardError(f"{where}: {key} '{value}' is not supported", f"expected one of: {', '.join(allowed)}")


def _is_vid_pid(s: object) -> bool:
    parts = s.split(":") if isinstance(s, str) else []
    return len(parts) == 2 and all(len(p) == 4 and all(c in "0123456789abcdefABCDEF" for c in p) for p in parts)
