"""Captures the recorded sessions (tests/harness/<case>.log) from the fake-model
firmware in QEMU, each with its fault injected on the real link, and their
outcomes (<case>.exp: what the host client made of the live session).

    .venv/bin/python -m tests.harness.capture          # rebuilds the fake firmware, rewrites every case

test_sessions.py replays each .log to the client and expects its .exp; it also
checks each .exp against the fake model's own arithmetic, and (under QEMU)
captures the cases again to see that they still end the same way.
"""

import json
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.firmware.fake_build import HASH, OUT_SCALE, OUT_ZP, build_fake, reference, samples
from tests.harness.fault_proxy import FaultProxy
from tests.harness.replay import Recorder
from toolchain.device import emulate
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.errors import HarnessError
from toolchain.device.harness.transports import Transport, open_transport

HERE = Path(__file__).parent
INPUT = samples(1, seed=7)[0].tobytes()  # the one sample every case loads and infers
TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Case:
    what: str
    firmware: str = "fake"    # "fake", or "other": the same firmware built as another model's
    fault: str | None = None  # FaultProxy's
    after: int = 0


CASES = {
    "clean": Case("no fault"),
    "garbage": Case("40 random bytes injected into the device's output during the infer reply", "fake", "garbage", 450),
    "lost_bytes": Case("5 bytes of the device's output lost during the infer reply", "fake", "drop", 450),
    "device_error": Case("2 bytes lost on the way in: the device refuses what reached it (e-[...])", "fake",
                         "drop_in", 11),
    "reset": Case("the device resets (QEMU system_reset) while the load and infer commands are on their way: its "
                  "boot banner comes mid-reply", "fake", "callback_in"),
    "stale_model": Case("the device runs another model (hash fedcba9876543210)", "other"),
}


def outcome(transport: Transport) -> dict:
    """What the host client makes of a session: resync, then one sample loaded and inferred."""
    client = DeviceClient(transport, expected_hash=HASH, timeout=TIMEOUT_S)
    try:
        client.resync()
        inf = client.run_sample(INPUT)
    except HarnessError as e:
        return {"error": e.message}
    return {"model": client.info.model, "results": inf.results, "run_ticks": inf.run_ticks, "faults": len(client.faults)}


def expected_results() -> list[float]:
    """The fake model's outputs for INPUT, dequantized as the device prints them."""
    return [(float(v) - OUT_ZP) * OUT_SCALE for v in reference(np.frombuffer(INPUT, np.int8)[None])[0]]


class ResettableEmulator(emulate.Emulator):
    """QEMU with a monitor on a unix socket too, so the board can be reset under a live serial link."""

    def __init__(self, board, elf: Path, monitor: Path):
        super().__init__(board, elf, extra_args=("-monitor", f"unix:{monitor},server=on,wait=off"))
        self.monitor = monitor

    def system_reset(self) -> None:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.monitor))
            s.sendall(b"system_reset\n")
            time.sleep(0.5)  # the guest reboots and prints its banner before the rest of the host's bytes arrive


def capture(case: Case, firmware: dict, work: Path) -> tuple[str, dict]:
    """(session file text, outcome) of one live session."""
    fw = firmware[case.firmware]
    emu = ResettableEmulator(fw.board, fw.elf, work / "qemu-monitor.sock").start()
    proxy = FaultProxy(emu.port, case.fault, case.after, on_fault=emu.system_reset, marker=b"infer")
    try:
        with open_transport(proxy.url) as t:
            t.fast = False  # the MLPerf runner's hex lines: a `db file` path would not replay
            rec = Recorder(t)
            result = outcome(rec)
    finally:
        proxy.close()
        emu.stop()
    assert case.fault is None or proxy.fired, f"the {case.fault} fault never fired"
    notes = [f"captured by tests/harness/capture.py from the {fw.model} firmware in QEMU ({fw.board.id}): {case.what}"]
    return rec.text(notes), result


def build_firmware(work: Path) -> dict:
    from tests.firmware.fake_build import OTHER_HASH

    return {"fake": build_fake(work / "fake"), "other": build_fake(work / "other", model_hash=OTHER_HASH)}


def main(out: Path = HERE) -> int:
    with tempfile.TemporaryDirectory(prefix="tm-capture-") as tmp:
        work = Path(tmp)
        firmware = build_firmware(work)
        for name, case in CASES.items():
            text, result = capture(case, firmware, work)
            if "error" not in result:
                assert result["results"] == expected_results(), (name, result)
            (out / f"{name}.log").write_text(text, encoding="ascii")
            (out / f"{name}.exp").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
            print(f"{name}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
