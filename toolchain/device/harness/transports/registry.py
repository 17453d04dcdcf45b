"""The URL schemes and their transport modules: `open_transport(url)` picks one, `register` adds one (tests)."""

import importlib

from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports.base import Transport

SCHEMES: dict[str, str | type[Transport]] = {
    "socket": "toolchain.device.harness.transports.socket",
    "serial": "toolchain.device.harness.transports.serial",
    "loop": "toolchain.device.harness.transports.loop",
    "process": "toolchain.device.harness.transports.process",
    "qemu": "toolchain.device.harness.transports.qemu",
}

FORMS = "socket://HOST:PORT or qemu://BOARD?elf=PATH (QEMU), /dev/ttyACM0 or serial:///dev/ttyACM0?baud=115200 (a board), process://COMMAND (a Linux target's stdio), loop:// (tests)"


def register(scheme: str, cls: type[Transport]) -> None:
    SCHEMES[scheme] = cls


def open_transport(url: str, baud: int | None = None) -> Transport:
    if not url:
        raise TransportError("no device URL given", f"expected one of: {FORMS}")
    scheme = url.split("://", 1)[0] if "://" in url else "serial"
    handler = SCHEMES.get(scheme)
    if handler is None:
        raise TransportError(f"unknown transport '{scheme}://' in '{url}'", f"expected one of: {FORMS}")
    cls = importlib.import_module(handler).Transport if isinstance(handler, str) else handler
    return cls(url, baud=baud)
