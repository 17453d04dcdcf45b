"""open_transport: scheme -> module, loop://, bad URLs, a custom handler."""

import pytest

from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports import Transport, open_transport, register


def test_loop_reads_back_what_was_written():
    t = open_transport("loop://")
    t.write(b"name%")
    assert t.read(0.1) == b"name%" and t.read(0.01) == b""


@pytest.mark.parametrize("url, expected", [
    ("ftp://x", "expected one of: socket://HOST:PORT"),
    ("", "no device URL given"),
    ("socket://127.0.0.1", "expected socket://HOST:PORT"),
    ("socket://:44", "expected socket://HOST:PORT"),
    ("socket://127.0.0.1:notaport", "expected socket://HOST:PORT"),
])
def test_bad_urls_show_the_expected_form(url, expected):
    with pytest.raises(TransportError) as e:
        open_transport(url)
    assert expected in str(e.value)


def test_nothing_listening_says_to_start_the_emulator():
    from toolchain.device.emulate import free_port

    with pytest.raises(TransportError, match="cannot connect") as e:
        open_transport(f"socket://127.0.0.1:{free_port()}")
    assert "toolchain emulate" in e.value.hint


def test_missing_serial_port_is_one_clear_error():
    with pytest.raises(TransportError, match="cannot open serial port /dev/does-not-exist"):
        open_transport("/dev/does-not-exist")


def test_custom_scheme():
    class Echo(Transport):
        def __init__(self, url, baud=None):
            super().__init__(url)
            self.baud = baud

    register("echo", Echo)
    t = open_transport("echo://x", baud=9600)
    assert isinstance(t, Echo) and t.baud == 9600


def test_something_that_is_not_the_harness_is_one_clear_error():
    from toolchain.device.harness.client import DeviceClient
    from toolchain.device.harness.errors import HarnessError

    # loop:// echoes the commands back: never a well-formed reply
    with pytest.raises(HarnessError, match="cannot get the device on loop:// back in sync") as e:
        DeviceClient(open_transport("loop://"), timeout=0.2, retries=1).resync()
    assert "harness firmware" in e.value.hint


def test_qemu_url_needs_an_elf():
    with pytest.raises(TransportError, match="expected qemu://BOARD"):
        open_transport("qemu://qemu-m4")
