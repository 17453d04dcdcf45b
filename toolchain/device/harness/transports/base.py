"""The one base class every transport implements: bytes in, bytes out."""

import time

from toolchain.device.harness.errors import TransportError


class Transport:
    """A byte link to a device. `read` returns b"" on timeout and raises
    TransportError when the link is gone (EOF, unplugged)."""

    #: the URL form, shown when a URL is malformed
    FORM = ""
    #: bytes per second the link is declared to carry (the client also measures it): deadlines grow with it
    rate = 2_000.0
    #: whether our host may use the device's fast path (long `db` lines, `db file`) on this link
    fast = True

    def __init__(self, url: str):
        self.url = url

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, timeout: float) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def reopen(self, within_s: float = 10.0) -> None:
        """Close and open again, retrying until `within_s` (a restarted emulator, a re-enumerated USB port)."""
        self.close()
        deadline = time.monotonic() + within_s
        while True:
            try:
                self.open()
                return
            except TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def open(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
