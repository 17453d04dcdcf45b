"""Deadlines grow with the bytes at the link's rate and with the inferences asked for, and the fast
path is only taken when the firmware offers it (no QEMU needed: the numbers are the client's own)."""

import pytest

from toolchain.device.harness import protocol
from toolchain.device.harness.client import (COMMAND_TIMEOUT_S, FIRST_INFERENCE_S, MAX_LINE, SLACK, DeviceClient,
                                             DeviceInfo, Fault)
from toolchain.device.harness.transports import open_transport

VWW_BYTES = 27648


def _client(rate: float, fast: bool = True) -> DeviceClient:
    t = open_transport("loop://")
    t.rate, t.fast = rate, fast
    return DeviceClient(t)


def test_floor_when_nothing_to_send():
    assert _client(2000).budget(0, 0) == COMMAND_TIMEOUT_S


def test_budget_grows_with_the_bytes_at_the_link_rate():
    sent = len(b"".join(c.encode() + b"%" for c in protocol.hex_lines(bytes(VWW_BYTES))))
    at_115200 = _client(115200 / 10).budget(sent, 0)
    # 59 KB at 11.5 KB/s take 5 s: the old fixed 3 s could never fit, the budget is SLACK times that
    assert at_115200 == pytest.approx(COMMAND_TIMEOUT_S + SLACK * sent / 11520) and at_115200 > 3 * sent / 11520
    assert _client(2000).budget(2 * sent, 0) > _client(2000).budget(sent, 0) > at_115200


def test_inference_time_is_measured_once_then_used():
    c = _client(1e6)
    assert c.budget(0, 0, inferences=1) == COMMAND_TIMEOUT_S + SLACK * FIRST_INFERENCE_S
    c.infer_s = 2.0  # a big model: 2 s of wall time per inference
    assert c.budget(0, 0, inferences=6) == COMMAND_TIMEOUT_S + SLACK * 12.0


def test_measured_rate_only_ever_slows_the_plan():
    c = _client(2000)
    c.measured_rate = 50_000
    assert c.rate == 2000
    c.measured_rate = 500
    assert c.rate == 500


def _info(db_bytes: int, file_load: bool) -> DeviceInfo:
    return DeviceInfo("m", "h", "aot", "qemu-m4", 64, "int8", 1.0, 0, 2, "int8", 1.0, 0, "ticks", 1, db_bytes, file_load)


@pytest.mark.parametrize("body,fast,want", [
    (None, True, ("hex", 31)),            # a firmware without m-info-link: the runner's lines
    ("124", True, ("hex", 124)),
    ("124", False, ("hex", 31)),          # a real board's serial port without ?fast=1
    ("124,file", True, ("file", None)),
    ("124,file", False, ("hex", 31)),
])
def test_way_in_follows_the_offer_and_the_link(body, fast, want):
    c = _client(2000, fast)
    c.info = _info(*protocol.link(body))
    cmds, how = c.load_commands(bytes(range(64)) * 2)
    assert how == want[0]
    if how == "hex":
        assert max(len(bytes.fromhex(cmd[3:])) for cmd in cmds) == want[1]
    else:
        assert cmds[0].startswith("db file ") and len(cmds) == 1


def test_malformed_link_line_is_refused():
    with pytest.raises(ValueError):
        protocol.link("0,file")


def _outputs(outputs: int) -> DeviceInfo:
    return DeviceInfo(model="big", hash="0" * 16, runtime="aot", board="qemu-m4", input_bytes=4, input_dtype="int8",
                      input_scale=1.0, input_zero_point=0, output_count=outputs, output_dtype="int8",
                      output_scale=0.5, output_zero_point=0, timer_unit="ticks", layers=1)


def test_a_results_line_of_a_large_output_is_read_whole():
    # 8,192 outputs print about 100 KB on one line: a fixed 64 KB cap called it garbage
    values = ",".join(["-1.23456789e-1"] * 8192)
    c = _client(1e6)
    c.info = _outputs(8192)
    c.transport.feed(f"m-results-[{values}]\nm-ready\n".encode())
    assert len(values) > MAX_LINE
    assert c.command("results").fields["results"] == values


def test_a_runaway_line_is_still_garbage():
    c = _client(1e6)
    c.info = _outputs(10)
    c.transport.feed(b"x" * (MAX_LINE + 10))
    with pytest.raises(Fault, match="overlong"):
        c.command("results")
