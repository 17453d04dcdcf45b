"""The qemu-m4 firmware driven exactly as the official MLPerf Tiny runner drives a device
(mlcommons/tiny benchmark/runner: device_under_test.py and script.py, read, not copied): one
command at a time, each ended with `%` and answered up to `m-ready`; `db` lines of 31 bytes;
latency from the two `m-lap-us-` lines, results from `m-results-[...]`. On QEMU the laps are
virtual microseconds: 1,000 guest instructions each under `-icount shift=0`."""

import re
import socket

import numpy as np
import pytest

from tests.firmware.fake_build import OUT_SCALE, OUT_ZP, reference, samples
from toolchain.device.emulate import Emulator
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.transports import open_transport
from toolchain.harness_protocol import LIMITS

pytestmark = pytest.mark.qemu
RUNNER_DB_BYTES = LIMITS.harness_mlperf_db_bytes


class RunnerLink:
    """A runner-like line link: send `cmd%`, collect lines until `m-ready`."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.buf = b""
        self.banner = self.read_until_ready()

    def read_until_ready(self) -> list[str]:
        lines = []
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                assert chunk, "the firmware closed the link"
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            text = line.decode().strip("\r")
            if text == "m-ready":
                return lines
            lines.append(text)

    def send_command(self, cmd: str) -> list[str]:
        self.sock.sendall(cmd.encode() + b"%")
        return self.read_until_ready()

    def close(self) -> None:
        self.sock.close()


def runner_session(port: int, data: bytes, iterations: int, warmups: int) -> dict:
    """name, profile, db load + 31-byte db lines, infer; parsed with the runner's own patterns."""
    link = RunnerLink(port)
    try:
        name = [m.group(1) for line in link.send_command("name") if (m := re.match(r"^m-name-dut-\[([^]]+)]$", line))]
        profile = dict(m.groups() for line in link.send_command("profile")
                       if (m := re.match(r"^m-(model|profile)-\[([^]]+)]$", line)))
        loaded = link.send_command(f"db load {len(data)}")
        for i in range(0, len(data), RUNNER_DB_BYTES):
            reply = link.send_command(f"db {data[i:i + RUNNER_DB_BYTES].hex()}")
            assert not reply, reply  # a db line is answered by m-ready alone
        lines = link.send_command(f"infer {iterations} {warmups}")
    finally:
        link.close()
    laps = [int(m.group(1)) for line in lines if (m := re.match(r"^m-lap-us-([0-9]+)$", line))]
    results = [[float(v) for v in m.group(1).split(",")] for line in lines if (m := re.match(r"^m-results-\[([^]]+)\]$", line))]
    runs = [int(v) for line in lines if line.startswith("m-runs-[") for v in line[8:-1].split(",")]
    return {"name": name, "profile": profile, "loaded": loaded, "laps": laps, "results": results, "run_ticks": runs}


def test_runner_exchange_gets_laps_and_results(fake_fw):
    x = samples(1, seed=5)
    with Emulator(fake_fw.board, fake_fw.elf) as emu:
        s = runner_session(emu.port, x[0].tobytes(), iterations=50, warmups=2)
    assert s["name"] == ["qemu-m4"] and s["profile"] == {"profile": "toolchain", "model": "fake"}
    assert s["loaded"] == ["m-[Expecting 64 bytes]"]
    assert len(s["laps"]) == 2 and s["laps"][1] > s["laps"][0]
    assert len(s["results"]) == 1
    want = (reference(x)[0].astype(np.float64) - OUT_ZP) * OUT_SCALE
    assert s["results"][0] == want.tolist()
    # virtual microseconds: the laps span the 50 timed runs, each 40 instructions per SysTick tick
    lap_insns = (s["laps"][1] - s["laps"][0]) * 1000
    run_insns = sum(s["run_ticks"]) * 40
    assert run_insns <= lap_insns + 1000 <= run_insns * 2 + 50 * 1000


@pytest.fixture(scope="module")
def vww_fw(build_dir, mlperf):
    from toolchain import build

    return build.build(str(mlperf.vww), "qemu-m4")


@pytest.mark.slow
def test_runner_exchange_on_vww_matches_our_instruction_count(vww_fw, mlperf):
    from toolchain.evaluate.reference import random_inputs, tflm_outputs

    x = random_inputs(mlperf.vww, 1, seed=0)
    with Emulator(vww_fw.board, vww_fw.elf) as emu:
        s = runner_session(emu.port, x[0].tobytes(), iterations=1, warmups=0)
        with open_transport(emu.url) as t:
            client = DeviceClient(t)
            client.resync()
            per_tick = client.calibrate()
            ours = client.run_sample(x[0].tobytes())
    # the runner's latency, turned back into instructions, is ours plus the input copy before the run
    lap_insns = (s["laps"][1] - s["laps"][0]) * 1000
    our_insns = ours.run_ticks[0] * per_tick
    assert our_insns <= lap_insns + 1000 and lap_insns <= our_insns * 1.005
    host = tflm_outputs(mlperf.vww, x)[0].astype(np.float64)
    assert np.array_equal(np.round(np.asarray(s["results"][0]) / (1 / 256)) - 128, host)


@pytest.mark.slow
def test_large_input_over_31_byte_lines_does_not_time_out(vww_fw, mlperf):
    """27,648 bytes as 892 hex lines take seconds on a loaded machine: the deadline grows with the bytes."""
    from toolchain.evaluate.reference import random_inputs, tflm_outputs

    x = random_inputs(mlperf.vww, 2, seed=1)
    host = tflm_outputs(mlperf.vww, x)
    with Emulator(vww_fw.board, vww_fw.elf) as emu, open_transport(emu.url) as t:
        t.fast = False  # the MLPerf runner's 31-byte lines, the slowest way in
        client = DeviceClient(t)
        client.resync()
        assert client.budget(2 * 27648 + 892 * 4, 892 * 8, 1) > 3 * 27648 * 2 / t.rate
        for row, want in zip(x, host):
            inf = client.run_sample(row.tobytes())
            assert np.array_equal(np.round(np.asarray(inf.results) * 256) - 128, want)
        assert client.loads == {"file": 0, "hex": 2} and client.faults == []


def test_fast_path_is_negotiated_and_falls_back(fake_fw, monkeypatch):
    x = samples(3, seed=2)
    want = reference(x)
    with Emulator(fake_fw.board, fake_fw.elf) as emu, open_transport(emu.url) as t:
        client = DeviceClient(t)
        client.resync()
        assert (client.info.db_bytes, client.info.file_load) == (LIMITS.harness_db_max_bytes, True)

        def check(inf, row):
            assert np.array_equal(np.round(np.asarray(inf.results) / OUT_SCALE) + OUT_ZP, row)

        check(client.run_sample(x[0].tobytes()), want[0])
        assert client.loads == {"file": 1, "hex": 0}
        # a QEMU on another machine cannot open our file: the device says so, hex lines take over
        real = client.load_commands
        monkeypatch.setattr(client, "load_commands", lambda d, slot=0: (["db file /nonexistent/input.bin"], "file")
                            if client.use_files else real(d, slot))
        check(client.run_sample(x[1].tobytes()), want[1])
        assert not client.use_files and client.loads == {"file": 1, "hex": 1} and client.faults == []
        sent = []
        monkeypatch.setattr(client, "load_commands", lambda d, slot=0: (sent.append(real(d, slot)), sent[-1])[1])
        check(client.run_sample(x[2].tobytes()), want[2])
        assert [len(c) for c in sent[0][0]] == [3 + 2 * 64]  # one 64-byte line: longer than the runner's 31


def test_limits_in_errors_come_from_the_firmware(fake_fw):
    with Emulator(fake_fw.board, fake_fw.elf) as emu, open_transport(emu.url) as t:
        client = DeviceClient(t)
        client.resync()
        L = LIMITS
        cases = {f"infer 1 {L.harness_max_warmups + 1}": f"at most {L.harness_max_warmups} warm-up runs",
                 f"infer {L.harness_max_runs + 1} 0": f"at most {L.harness_max_runs} timed runs",
                 "db load 64": "", f"db {'00' * (L.harness_db_max_bytes + 1)}": f"at most {L.harness_db_max_bytes} bytes per line",
                 "x" * (L.harness_line_max + 1): f"at most {L.harness_line_max} characters", "db file": "needs a path",
                 f"calib {L.harness_max_calib + 1}": f"at most {L.harness_max_calib} iterations",
                 "\x00\x00name": "NUL byte"}
        for cmd, reason in cases.items():
            r = client.command(cmd)
            assert (reason in r.errors[0]) if reason else not r.errors, (cmd, r)
        assert client.command("name").fields["name-dut"] == "qemu-m4"


def test_output_larger_than_the_harness_buffer_is_refused_at_boot(tmp_path):
    import time

    from tests.firmware.fake_build import FAKE_DIR, INPUT_BYTES, OUTPUTS
    from toolchain.boards import load
    from toolchain.build import project, compile_steps
    from toolchain.build.sources import ModelSources, tree

    # 10 int8 outputs into a 4-byte buffer: the harness must say so instead of writing past it
    sources = ModelSources("fake", "fake", tree(FAKE_DIR, "model"), ["model"], 0, INPUT_BYTES, OUTPUTS,
                           defines=["TM_HARNESS_OUTPUT_CAPACITY=4"])
    board = load("qemu-m4")
    proj = project.write(tmp_path / "fw", board, sources)
    fw = compile_steps.compile_project(board, sources, proj, started=time.monotonic(), profile=False, model_hash="0" * 16)
    with Emulator(fw.board, fw.elf) as emu:
        link = RunnerLink(emu.port)
        assert "e-[model output is larger than TM_HARNESS_OUTPUT_CAPACITY]" in link.banner
        link.send_command("db load 64")
        link.send_command(f"db {'01' * 31}")
        link.send_command(f"db {'01' * 31}")
        link.send_command("db 0101")
        assert link.send_command("infer 1 0") == ["e-[model output is larger than TM_HARNESS_OUTPUT_CAPACITY]"]
        link.close()
