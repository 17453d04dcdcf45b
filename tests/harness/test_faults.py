"""Faults injected between the harness and QEMU: each one ends in a recovered
run or one clear error, and bench.json keeps what was measured before it."""

import json

import pytest

from tests.firmware.fake_build import HASH, reference, samples
from tests.harness.fault_proxy import FaultProxy
from toolchain.bench import measure
from toolchain.device.emulate import Emulator
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.errors import HarnessError
from toolchain.device.harness.transports import open_transport

pytestmark = pytest.mark.qemu
N = 40


def _bench(fw, out, fault=None, after=3000, on_fault=None, emu=None, timeout=3.0, fast=True):
    """`fast`: inputs by `db file` (what our host uses on QEMU), else the MLPerf runner's 31-byte hex lines."""
    x = samples(N)
    own = emu is None
    emu = emu or Emulator(fw.board, fw.elf).start()
    proxy = FaultProxy(emu.port, fault, after, on_fault)
    try:
        with open_transport(proxy.url) as t:
            t.fast = fast
            client = DeviceClient(t, expected_hash=HASH, timeout=timeout)
            return measure(client, fw.board, out, inputs=x, labels=None, host_outputs=reference(x), runs=5, warmups=1,
                           meta={"model": "fake", "runtime": "fake"}, static={"flash_bytes": 1, "ram_bytes": 1,
                                                                               "stack_reserved_bytes": 1, "arena_bytes": 0})
    finally:
        proxy.close()
        if own:
            emu.stop()


def _assert_complete(result, out):
    saved = json.loads(out.read_text())
    assert saved["status"] == "complete" and saved["accuracy"]["samples"] == N
    assert saved["accuracy"]["agreement"] == 1.0
    assert saved["latency"]["unit"] == "instructions (emulated)" and saved["latency"]["runs"] == 5
    return saved


def test_clean_run(fake_fw, tmp_path):
    saved = _assert_complete(_bench(fake_fw, tmp_path / "bench.json"), tmp_path / "bench.json")
    assert saved["faults"] == []


@pytest.mark.parametrize("fast", [True, False], ids=["file", "hex31"])
@pytest.mark.parametrize("fault", ["garbage", "drop", "drop_in"])
def test_corrupted_line_recovers(fake_fw, tmp_path, fault, fast):
    # inputs by file send few bytes to the device: the fault comes sooner to land during the samples
    after = 3000 if not fast or fault != "drop_in" else 1500
    saved = _assert_complete(_bench(fake_fw, tmp_path / "bench.json", fault, after=after, fast=fast), tmp_path / "bench.json")
    assert saved["faults"], "the fault should have been seen and recovered from"


@pytest.mark.slow
def test_five_seconds_of_silence_recovers(fake_fw, tmp_path):
    saved = _assert_complete(_bench(fake_fw, tmp_path / "bench.json", "silence"), tmp_path / "bench.json")
    assert any("silent" in f for f in saved["faults"])


def test_emulator_killed_and_restarted_recovers(fake_fw, tmp_path):
    emu = Emulator(fake_fw.board, fake_fw.elf).start()
    try:
        saved = _assert_complete(_bench(fake_fw, tmp_path / "bench.json", "callback", on_fault=emu.restart, emu=emu),
                                 tmp_path / "bench.json")
    finally:
        emu.stop()
    assert any("link lost" in f for f in saved["faults"])


def test_restarted_with_another_model_is_a_clear_error_and_keeps_results(fake_fw, other_fake_fw, tmp_path):
    emu = Emulator(fake_fw.board, fake_fw.elf).start()

    def swap_firmware():
        emu.stop()
        emu.elf = other_fake_fw.elf
        emu.start()

    out = tmp_path / "bench.json"
    try:
        with pytest.raises(HarnessError, match="not the model being measured"):
            _bench(fake_fw, out, "callback", after=6000, on_fault=swap_firmware, emu=emu)
    finally:
        emu.stop()
    saved = json.loads(out.read_text())
    assert saved["status"] == "failed" and "hash fedcba9876543210" in saved["error"]
    assert saved["latency"]["instructions_median"] > 0 and saved["memory"]["stack_bytes"] > 0
    assert 0 < saved["accuracy"]["samples"] < N


def test_wrong_model_from_the_start(other_fake_fw, tmp_path):
    with pytest.raises(HarnessError, match="rebuild"):
        _bench(other_fake_fw, tmp_path / "bench.json")
    assert json.loads((tmp_path / "bench.json").read_text())["latency"] is None
