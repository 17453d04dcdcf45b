import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import SHARED_MODELS, run_cli

KWS = SHARED_MODELS / "kws_ref_model.tflite"
from toolchain.device.emulate import Emulator, EmulatorError, free_port
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports import open_transport

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


@pytest.fixture(scope="module")
def kws_build(tmp_path_factory, mlperf):
    """One build tree for the module: the KWS firmware is built by the first `emulate` only."""
    return tmp_path_factory.mktemp("emulate")


@pytest.fixture
def busy_port():
    """A port another process (this one) listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def start_emulate(build, *extra) -> subprocess.Popen:
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(build), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "toolchain", "emulate", "--board", "qemu-m4", "--model", str(KWS),
                             *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_state(p: subprocess.Popen, build) -> dict:
    """emulator.json once QEMU serves (it names QEMU's pid)."""
    state = build / "kws_ref_model" / "qemu-m4" / "emulator.json"
    deadline = time.monotonic() + 300
    while not state.exists():
        assert p.poll() is None, p.communicate()[1]
        assert time.monotonic() < deadline, "emulate did not start"
        time.sleep(0.2)
    return json.loads(state.read_text())


def gone(pid: int, within_s: float = 10) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie still answers kill(0): it is gone once its state says so
        try:
            if open(f"/proc/{pid}/stat").read().split(")")[1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_emulate_serves_the_harness_until_interrupted(kws_build):
    port = free_port()
    p = start_emulate(kws_build, "--port", str(port))
    try:
        wait_for_state(p, kws_build)
        with open_transport(f"socket://127.0.0.1:{port}") as t:
            c = DeviceClient(t)
            c.resync()
            assert c.info.model == "kws_ref_model" and c.info.runtime == "aot"
        r = run_cli("bench", "--board", "qemu-m4", "--model", str(KWS), "--samples", "3", build=kws_build)
        assert r.returncode == 0 and "using the running emulator" in r.stdout, r.stderr
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    assert f"socket://127.0.0.1:{port}" in out
    assert "Traceback" not in err and not (kws_build / "kws_ref_model" / "qemu-m4" / "emulator.json").exists()


def test_busy_port_is_refused_before_building(busy_port, tmp_path, mlperf):
    r = run_cli("emulate", "--board", "qemu-m4", "--model", str(KWS), "--port", str(busy_port), build=tmp_path)
    assert_clean_error(r, f"port {busy_port} is already in use", "--port")
    assert not list(tmp_path.rglob("*.elf"))


def test_emulator_does_not_take_another_listener_for_qemu(busy_port, fake_fw):
    with pytest.raises(EmulatorError, match=f"port {busy_port}"):
        Emulator(fake_fw.board, fake_fw.elf, busy_port).start()
    # a listener on the port that is not our QEMU never counts as "booted"
    emu = Emulator(fake_fw.board, fake_fw.elf, busy_port)
    emu.proc = subprocess.Popen(["sleep", "5"])
    try:
        assert not emu._listening()
    finally:
        emu.proc.kill()
        emu.proc.wait()


def test_qemu_dying_is_an_error_with_its_status(kws_build):
    p = start_emulate(kws_build)
    qemu = wait_for_state(p, kws_build)["pid"]
    os.kill(qemu, signal.SIGKILL)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1 and "Traceback" not in err
    assert [ln for ln in err.splitlines() if ln.startswith("Error:")] == [
        next(ln for ln in err.splitlines() if "QEMU exited with status -9" in ln)]


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_signals_stop_qemu(sig, code, kws_build):
    p = start_emulate(kws_build)
    qemu = wait_for_state(p, kws_build)["pid"]
    p.send_signal(sig)
    p.communicate(timeout=30)
    assert p.returncode == code
    assert gone(qemu), "QEMU outlived `toolchain emulate`"


def test_qemu_does_not_outlive_a_killed_parent(kws_build):
    p = start_emulate(kws_build)
    qemu = wait_for_state(p, kws_build)["pid"]
    p.kill()
    p.communicate(timeout=30)
    assert gone(qemu), "QEMU outlived a SIGKILLed `toolchain emulate`"


@pytest.mark.parametrize("board", ["nano33", "rpi4"])
def test_board_without_emulator_is_refused_before_building(board, tmp_path, mlperf):
    r = run_cli("emulate", "--board", board, "--model", str(KWS), build=tmp_path)
    assert_clean_error(r, f"board '{board}'")
    assert not list(tmp_path.iterdir()), "no build folder for a refused command"
