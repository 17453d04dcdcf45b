"""Shared fixtures for the real-board tests: no hardware, no network."""

import pytest

from toolchain.boards import all_boards

REAL = [b for b in all_boards() if not b.emulated]                      # PlatformIO boards
LINUX = [b for b in all_boards() if b.emulator == "qemu-aarch64"]        # Raspberry Pis
CORTEX_M = [b for b in REAL if b.cpu.startswith("cortex-m")]


@pytest.fixture
def offline_platforms(monkeypatch):
    """As in CI: no real PlatformIO platform installed, whatever this machine holds."""
    from toolchain.build import platformio

    monkeypatch.setattr(platformio, "installed", lambda name, core_dir=None: False)


class FakePort:
    """What serial.tools.list_ports.comports() yields, reduced to what discovery reads."""

    def __init__(self, device: str, vid: int | None = None, pid: int | None = None, description: str = "n/a"):
        self.device, self.vid, self.pid, self.description = device, vid, pid, description


@pytest.fixture
def fake_ports(monkeypatch):
    """Call with a list of FakePort to make them the machine's serial ports."""
    from serial.tools import list_ports

    def install(ports):
        monkeypatch.setattr(list_ports, "comports", lambda *a, **k: list(ports))

    return install
