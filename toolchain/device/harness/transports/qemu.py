"""`qemu://BOARD?elf=PATH`: boots PATH in the board's emulator (boards/<BOARD>.toml)
and talks to it over the socket QEMU serves; closing stops QEMU, reopening
restarts it when it died. Baud rate is ignored (logged)."""

import logging
from urllib.parse import parse_qs, urlsplit

from toolchain.boards import load
from toolchain.device.emulate import Emulator
from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports import socket as socket_transport
from toolchain.device.harness.transports.base import Transport as BaseTransport

log = logging.getLogger(__name__)


class Transport(BaseTransport):
    FORM = "qemu://BOARD?elf=PATH, e.g. qemu://qemu-m4?elf=build/digits/qemu-m4/firmware/.pio/build/qemu-m4/firmware.elf"

    def __init__(self, url: str, baud: int | None = None):
        super().__init__(url)
        parts = urlsplit(url)
        elf = parse_qs(parts.query).get("elf", [""])[0]
        if not parts.hostname or not elf:
            raise TransportError(f"malformed URL '{url}'", f"expected {self.FORM}")
        if baud is not None:
            log.info("qemu transport ignores baud=%s", baud)
        self.emulator = Emulator(load(parts.hostname), elf).start()
        self.link: socket_transport.Transport | None = None
        self.open()

    def open(self) -> None:
        if not self.emulator.alive():
            self.emulator.restart()
        self.link = socket_transport.Transport(self.emulator.url)

    def write(self, data: bytes) -> None:
        self.link.write(data)

    def read(self, timeout: float) -> bytes:
        return self.link.read(timeout)

    def close(self) -> None:
        self._close_link()
        self.emulator.stop()

    def reopen(self, within_s: float = 10.0) -> None:
        """Reconnect, restarting QEMU only when it died."""
        self._close_link()
        self.open()

    def _close_link(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None
