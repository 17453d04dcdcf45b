"""The device side in QEMU: offline build, boot, protocol, determinism."""

import subprocess

import pytest

from tests.firmware.fake_build import HASH, build_fake, reference, samples
from toolchain.build import pio_core
from toolchain.device.emulate import Emulator
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.transports import open_transport

pytestmark = pytest.mark.qemu


@pytest.fixture
def device(fake_fw):
    with Emulator(fake_fw.board, fake_fw.elf) as emu, open_transport(emu.url) as t:
        client = DeviceClient(t, expected_hash=HASH)
        client.resync()
        yield client


def test_pio_builds_offline(tmp_path):
    fw = build_fake(tmp_path / "fw")
    # a proxy that refuses every connection: any registry access would fail the build
    env = {**pio_core.pio_env(), "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    r = subprocess.run([pio_core.pio_exe(), "run", "-t", "clean"], cwd=fw.project, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([pio_core.pio_exe(), "run"], cwd=fw.project, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert fw.elf.exists() and 0 < fw.size.flash_bytes < 64 * 1024
    assert (fw.project / "platformio.ini").read_text().count("symlink://") == 2


def test_boot_and_info(device):
    info = device.info
    assert (info.model, info.hash, info.board, info.input_bytes, info.output_count) == ("fake", HASH, "qemu-m4", 64, 10)
    assert info.timer_unit == "ticks"


def test_results_match_reference(device):
    x = samples(5)
    for row, want in zip(x, reference(x)):
        inf = device.run_sample(row.tobytes())
        got = [round(v / 0.5) - 3 for v in inf.results]
        assert got == want.tolist()


def test_malformed_commands_get_errors_and_device_keeps_serving(device):
    cases = {"bogus": "unknown command", "x" * 300: "line too long", "db load 3": "model input is 64 bytes",
             "db zz": "send db load", "infer 1 0": "input has 0 of 64", "infer": "infer needs", "calib": "calib needs",
             "results": "no results", "stream begin 5 4 9 50 1": "does not take raw audio"}
    for cmd, reason in cases.items():
        r = device.command(cmd)
        assert r.errors and reason in r.errors[0], (cmd, r)
    device.command("db load 64")
    assert "hex pairs" in device.command("db 0g").errors[0]
    assert "hex pairs" in device.command("db " + "00" * 125).errors[0]
    assert device.command("name").fields["name-dut"] == "qemu-m4"


def test_mem_reports_painted_stack(device):
    mem = device.mem()
    assert 0 < mem["stack-used"] < mem["stack-size"] == 65536


def test_calibration_is_exact_under_icount(device):
    assert device.calibrate() == pytest.approx(40.0, rel=1e-3)


def _ticks(fw) -> list[int]:
    with Emulator(fw.board, fw.elf) as emu, open_transport(emu.url) as t:
        c = DeviceClient(t)
        c.resync()
        return c.run_sample(samples(1)[0].tobytes(), runs=5, warmups=1).run_ticks + [round(c.calibrate() * 1000)]


def test_same_firmware_twice_gives_identical_counts(fake_fw):
    assert _ticks(fake_fw) == _ticks(fake_fw)



def test_qemu_url_boots_the_elf(fake_fw):
    with open_transport(f"qemu://qemu-m4?elf={fake_fw.elf}") as t:
        c = DeviceClient(t, expected_hash=HASH)
        c.resync()
        assert c.info.board == "qemu-m4"
        emu = t.emulator
    assert not emu.alive()
