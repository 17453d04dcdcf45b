"""Port discovery by the board's USB ids, with faked `list_ports` results."""

import pytest

from tests.realboards.conftest import FakePort
from toolchain.boards import load
from toolchain.device.harness.discovery import find_port
from toolchain.device.harness.errors import TransportError

NANO = FakePort("/dev/ttyACM0", 0x2341, 0x805A, "Nano 33 BLE")
NANO_BOOT = FakePort("/dev/ttyACM1", 0x2341, 0x005A, "Nano 33 BLE bootloader")
FTDI = FakePort("/dev/ttyUSB0", 0x0403, 0x6001, "FT232R USB UART")
LEGACY = FakePort("/dev/ttyS0")


def test_one_match_is_used(fake_ports):
    fake_ports([LEGACY, FTDI, NANO])
    assert find_port(load("nano33")) == "/dev/ttyACM0"


def test_bootloader_id_counts(fake_ports):
    fake_ports([NANO_BOOT])
    assert find_port(load("nano33")) == "/dev/ttyACM1"


def test_none_lists_what_was_seen(fake_ports):
    fake_ports([LEGACY, FTDI])
    with pytest.raises(TransportError) as e:
        find_port(load("nano33"))
    msg = str(e.value)
    assert "no nano33 found" in msg and "2341:805a" in msg
    assert "/dev/ttyUSB0 (0403:6001" in msg and "ttyS0" not in msg
    assert "--port" in msg


def test_nothing_plugged_in(fake_ports):
    fake_ports([])
    with pytest.raises(TransportError, match="no USB serial ports"):
        find_port(load("pico"))


def test_several_matches_ask_for_one(fake_ports):
    fake_ports([NANO, NANO_BOOT])
    with pytest.raises(TransportError) as e:
        find_port(load("nano33"))
    assert "2 ports look like a nano33" in str(e.value)
    assert "/dev/ttyACM0" in str(e.value) and "/dev/ttyACM1" in str(e.value)


def test_each_board_has_its_ids(fake_ports):
    fake_ports([FakePort("/dev/ttyACM3", 0x2E8A, 0x00C0), FakePort("/dev/ttyUSB1", 0x10C4, 0xEA60),
                FakePort("/dev/ttyACM4", 0x0483, 0x374B)])
    assert find_port(load("pico")) == "/dev/ttyACM3"
    assert find_port(load("esp32s3")) == "/dev/ttyUSB1"
    assert find_port(load("nucleo_l4r5zi")) == "/dev/ttyACM4"
