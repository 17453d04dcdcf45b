"""A device path (`/dev/ttyACM0`, `COM3`) or `serial:///dev/ttyACM0?baud=115200`:
a real board's USB serial port through pyserial.

A real board keeps the MLPerf runner's 31-byte `db` lines unless the URL asks for
the fast path (`?fast=1`): a UART bridge without flow control can drop bytes of
longer lines while the firmware parses. The declared rate is the baud rate's
(10 bits per byte)."""

from urllib.parse import parse_qs, urlsplit

from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports.base import Transport as BaseTransport

DEFAULT_BAUD = 115200


class Transport(BaseTransport):
    FORM = "a device path such as /dev/ttyACM0, or serial:///dev/ttyACM0?baud=115200&fast=1"
    fast = False

    def __init__(self, url: str, baud: int | None = None):
        super().__init__(url)
        if url.startswith("serial://"):
            parts = urlsplit(url)
            self.path = parts.path
            query = parse_qs(parts.query)
            try:
                baud = int(query["baud"][0]) if "baud" in query else baud
                self.fast = query.get("fast", ["0"])[0] == "1"
            except ValueError as e:
                raise TransportError(f"malformed URL '{url}'", f"expected {self.FORM}") from e
        else:
            self.path = url
        if not self.path:
            raise TransportError(f"malformed URL '{url}'", f"expected {self.FORM}")
        self.baud = baud or DEFAULT_BAUD
        self.rate = self.baud / 10
        self.port = None
        self.open()

    def open(self) -> None:
        import serial

        try:
            self.port = serial.Serial(self.path, self.baud, timeout=0)
        except (serial.SerialException, OSError) as e:
            raise TransportError(f"cannot open serial port {self.path}: {e}",
                                 "check the board is plugged in and the path is right (ls /dev/ttyACM* /dev/ttyUSB*)") from e

    def write(self, data: bytes) -> None:
        import serial

        try:
            self.port.write(data)
        except (serial.SerialException, OSError) as e:
            raise TransportError(f"lost serial port {self.path}: {e}", "the board was unplugged or reset") from e

    def read(self, timeout: float) -> bytes:
        import serial

        try:
            self.port.timeout = timeout
            first = self.port.read(1)
            return first + self.port.read(self.port.in_waiting) if first else b""
        except (serial.SerialException, OSError) as e:
            raise TransportError(f"lost serial port {self.path}: {e}", "the board was unplugged or reset") from e

    def close(self) -> None:
        if self.port is not None:
            self.port.close()
            self.port = None
