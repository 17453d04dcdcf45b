"""`loop://`: everything written is read back. For tests of the link layer;
a test can also queue device output with `feed()`."""

import time

from toolchain.device.harness.transports.base import Transport as BaseTransport


class Transport(BaseTransport):
    FORM = "loop://"
    rate = 1e6

    def __init__(self, url: str = "loop://", baud: int | None = None):
        super().__init__(url)
        self.buffer = bytearray()

    def open(self) -> None:
        pass

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def write(self, data: bytes) -> None:
        self.buffer += data

    def read(self, timeout: float) -> bytes:
        if not self.buffer:
            time.sleep(min(timeout, 0.01))
            return b""
        data = bytes(self.buffer)
        self.buffer.clear()
        return data
