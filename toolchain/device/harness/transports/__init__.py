"""`open_transport(url)`: one API for a QEMU socket, a USB serial port, a test loop.

The URL scheme picks the module `transports/<scheme>.py`, whose `Transport`
class subclasses `base.Transport`; a bare path means a serial port. Tests add
schemes with `register`. registry.py holds the schemes.

Imports: the harness's errors; qemu.py also device.emulate and boards."""

from toolchain.device.harness.transports.base import Transport
from toolchain.device.harness.transports.registry import FORMS, SCHEMES, open_transport, register

__all__ = ["FORMS", "SCHEMES", "Transport", "open_transport", "register"]
