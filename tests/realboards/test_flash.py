"""`toolchain flash` and `toolchain bench` on real boards without hardware:
the upload command PlatformIO gets, and one clean error when no board is there."""

import subprocess
from types import SimpleNamespace

import pytest

from tests.conftest import run_cli
from tests.realboards.conftest import FakePort
from toolchain import build
from toolchain.bench import device_session
from toolchain.boards import load
from toolchain.device.flash import FlashError, flash
from toolchain.device.harness.errors import TransportError


def one_error_line(r) -> str:
    assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, r.stderr
    return errors[0]


@pytest.fixture
def fake_upload(monkeypatch, tmp_path):
    """Build and `pio run -t upload` replaced: records the upload command."""
    calls = []
    monkeypatch.setattr(build, "build", lambda *a, **k: SimpleNamespace(project=tmp_path))

    def run(cmd, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr("toolchain.device.flash.subprocess.run", run)
    return calls


@pytest.mark.parametrize("board_id, vid, pid, serial_upload", [("nano33", 0x2341, 0x805A, True),
                                                               ("nucleo_l4r5zi", 0x0483, 0x374B, False),
                                                               ("pico", 0x2E8A, 0x000A, False)])
def test_upload_command(board_id, vid, pid, serial_upload, fake_ports, fake_upload):
    fake_ports([FakePort("/dev/ttyACM7", vid, pid)])
    # serial uploads go to the port found by USB ids; probe/picotool uploads find the board themselves
    assert flash("digits", board_id) == ("/dev/ttyACM7" if serial_upload else None)
    (cmd,) = fake_upload
    assert cmd[1:6] == ["run", "-e", board_id, "-t", "upload"]
    assert (cmd[-2:] == ["--upload-port", "/dev/ttyACM7"]) == serial_upload


def test_picotool_upload_needs_no_serial_port(fake_ports, fake_upload):
    fake_ports([])  # a Pico in BOOTSEL mode shows no serial port
    assert flash("digits", "pico") is None and len(fake_upload) == 1


def test_no_board_fails_before_building(fake_ports, fake_upload):
    fake_ports([FakePort("/dev/ttyS0")])
    with pytest.raises(TransportError, match="no nano33 found"):
        flash("digits", "nano33")
    assert fake_upload == []


def test_missing_port_path(fake_upload):
    with pytest.raises(FlashError, match="/dev/does-not-exist does not exist"):
        flash("digits", "nano33", port="/dev/does-not-exist")


def test_emulated_board_is_not_flashed():
    with pytest.raises(FlashError, match="not flashed"):
        flash("digits", "qemu-m4")


def test_bench_session_without_board(fake_ports, tmp_path):
    fake_ports([])
    with pytest.raises(TransportError, match="no nano33 found"):
        with device_session(load("nano33"), tmp_path / "firmware.elf", None):
            pass
    with pytest.raises(TransportError, match="cannot open serial port /dev/does-not-exist"):
        with device_session(load("nano33"), tmp_path / "firmware.elf", "/dev/does-not-exist"):
            pass


@pytest.mark.slow
def test_bench_a_board_flashed_elsewhere_needs_no_local_build(digits_manifest, offline_platforms):
    """A nano33 reached by its port is benched without PlatformIO; the LiteRT runner stands in for the board."""
    from toolchain.device import pi
    from toolchain.bench import bench
    from toolchain.paths import artifact_dir

    tflite = digits_manifest["deploy"]
    url = pi.url(load("nano33"), tflite)
    r = bench("digits", "nano33", url=url, max_samples=20)
    assert r["status"] == "complete" and r["accuracy"]["agreement"] == 1.0
    assert r["latency"]["measured_on"] == "device" and r["firmware"]["elf"] is None
    # nothing was built here, so the sizes the build would have measured are n/a
    assert r["memory"]["flash_bytes"] is None and r["memory"]["board_flash_bytes"] == load("nano33").flash_bytes
    assert not (artifact_dir("digits", "nano33") / "firmware").exists()
    with pytest.raises(TransportError, match="cannot open serial port /dev/nope"):
        bench("digits", "nano33", url="/dev/nope", max_samples=1)


@pytest.mark.slow
@pytest.mark.parametrize("args", [("flash", "--board", "nano33"), ("flash", "--board", "pico", "--port", "/dev/nope"),
                                  ("bench", "--board", "esp32s3", "--port", "/dev/nope")])
def test_cli_one_clean_line(args, build_dir, digits_manifest):
    line = one_error_line(run_cli(*args, "--model", "digits", build=build_dir))
    assert any(w in line for w in ("nano33", "/dev/nope", "platform")), line
    if args[0] == "bench":
        assert "cannot open serial port /dev/nope" in line, "a board with --port is reached without building"
