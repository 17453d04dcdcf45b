"""`socket://HOST:PORT`: a TCP serial link, as QEMU's
`-serial tcp:127.0.0.1:PORT,server=on,nodelay=on` offers it.

Options that make no sense over TCP (baud rate) are ignored. TCP_NODELAY is set
on our side too: without it each command round trip waits for Nagle's timer.

The declared rate is QEMU's: its UART model takes one byte per turn of the
emulator's main loop, 6-9 KB/s measured on a loaded 2-core machine, so 2 KB/s
leaves room (docs/benchmarks.md, "Harness streaming").
"""

import logging
import select
import socket
from urllib.parse import urlsplit

from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports.base import Transport as BaseTransport

log = logging.getLogger(__name__)


class Transport(BaseTransport):
    FORM = "socket://HOST:PORT, e.g. socket://127.0.0.1:4444"

    def __init__(self, url: str, baud: int | None = None):
        super().__init__(url)
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None or parts.path not in ("", "/"):
            raise TransportError(f"malformed URL '{url}'", f"expected {self.FORM}")
        if baud is not None:
            log.info("socket transport ignores baud=%s", baud)
        self.address = (parts.hostname, port)
        self.sock: socket.socket | None = None
        self.open()

    def open(self) -> None:
        try:
            self.sock = socket.create_connection(self.address, timeout=5)
        except OSError as e:
            raise TransportError(
                f"cannot connect to {self.url}: {e.strerror or e}",
                "is the emulator running? start one with `toolchain emulate --board qemu-m4`",
            ) from e
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)

    def write(self, data: bytes) -> None:
        if self.sock is None:
            raise TransportError(f"{self.url} is closed")
        try:
            self.sock.setblocking(True)
            self.sock.sendall(data)
            self.sock.setblocking(False)
        except OSError as e:
            raise TransportError(f"lost the link to {self.url}: {e}", "the emulator or device went away") from e

    def read(self, timeout: float) -> bytes:
        if self.sock is None:
            raise TransportError(f"{self.url} is closed")
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return b""
        try:
            data = self.sock.recv(65536)
        except OSError as e:
            raise TransportError(f"lost the link to {self.url}: {e}", "the emulator or device went away") from e
        if not data:
            raise TransportError(f"{self.url} closed the connection", "the emulator or device went away")
        return data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
