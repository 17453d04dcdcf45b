"""The fault matrix against the real AOT digits firmware, not only the fake model: each fault ends
in a complete bench with bit-exact agreement, and the fault is recorded. The full matrix with what
was kept after each fault is `python scripts/reliability.py faults` (docs/reliability.md)."""

import json

import pytest

from tests.harness.fault_proxy import FaultProxy
from toolchain.bench import measure, reference_data
from toolchain.device.emulate import Emulator
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.transports import open_transport

pytestmark = [pytest.mark.qemu, pytest.mark.slow]
N = 30


@pytest.fixture(scope="module")
def digits_fw(digits_manifest):
    from toolchain import build

    return build.build("digits", "qemu-m4")


@pytest.mark.parametrize("fault,fast", [("garbage", True), ("drop_in", False), ("kill", True)])
def test_fault_on_digits_recovers_bit_exact(digits_fw, tmp_path, fault, fast):
    inputs, labels, host = reference_data(digits_fw.prepared, 0)
    emu = Emulator(digits_fw.board, digits_fw.elf).start()
    proxy = FaultProxy(emu.port, "callback" if fault == "kill" else fault, after=1500 if fault == "drop_in" else 4000,
                       on_fault=emu.restart)
    out = tmp_path / "bench.json"
    try:
        with open_transport(proxy.url) as t:
            t.fast = fast
            client = DeviceClient(t, expected_hash=digits_fw.model_hash)
            measure(client, digits_fw.board, out, inputs=inputs[:N], labels=labels[:N], host_outputs=host[:N], runs=5,
                    warmups=1, meta={"model": "digits", "runtime": "aot"},
                    static={"flash_bytes": 1, "ram_bytes": 1, "stack_reserved_bytes": 1, "arena_bytes": 0})
    finally:
        proxy.close()
        emu.stop()
    saved = json.loads(out.read_text())
    assert saved["status"] == "complete" and saved["accuracy"]["samples"] == N
    assert saved["accuracy"]["agreement"] == 1.0 and saved["faults"]
    # deterministic under -icount: the fault changed no timed run
    assert len(set(saved["latency"]["per_run"])) == 1 and saved["latency"]["instructions_median"] > 50_000
