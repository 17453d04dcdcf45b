import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import KWS, run_cli
from toolchain.emulate import free_port
from toolchain.harness.client import DeviceClient
from toolchain.harness.errors import TransportError
from toolchain.harness.transports import open_transport

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


def test_emulate_serves_the_harness_until_interrupted(tmp_path):
    port = free_port()
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(tmp_path), "COLUMNS": "200"}
    p = subprocess.Popen([sys.executable, "-m", "toolchain", "emulate", "--board", "qemu-m4", "--model", str(KWS),
                          "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                t = open_transport(f"socket://127.0.0.1:{port}")
                break
            except TransportError:
                assert p.poll() is None and time.monotonic() < deadline, p.stderr.read() if p.poll() is not None else "timeout"
                time.sleep(0.2)
        with t:
            c = DeviceClient(t)
            c.resync()
            assert c.info.model == "kws_ref_model" and c.info.runtime == "aot"
        state = tmp_path / "kws_ref_model" / "qemu-m4" / "emulator.json"
        assert state.exists()
        r = run_cli("bench", "--board", "qemu-m4", "--model", str(KWS), "--samples", "3", build=tmp_path)
        assert r.returncode == 0 and "using the running emulator" in r.stdout, r.stderr
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    assert f"socket://127.0.0.1:{port}" in out
    assert "Traceback" not in err and not state.exists()
