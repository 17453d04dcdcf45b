"""The host side of `validate%` over a scripted link: outputs are kept layer by
layer as they arrive whole, and a link that drops mid-transfer leaves the
layers before the drop compared and the rest marked not received."""

import numpy as np

from toolchain.device.harness import protocol
from toolchain.device.harness.client import DeviceClient, DeviceInfo
from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports.base import Transport
from toolchain.validate.compare import compare, first_difference
from toolchain.validate.layers import LayerInfo
from toolchain.validate.table import rows, verdict

OUTPUTS = {0: bytes(range(100)), 1: bytes(range(50, 250)), 2: bytes(10)}


def device_reply(outputs: dict[int, bytes]) -> bytes:
    """What a validation build prints after `db load`, its data and `validate%` (hex lines of 64 bytes)."""
    lines = ["m-[Expecting 4 bytes]", "m-ready", "m-ready"]
    for index, data in outputs.items():
        lines.append(f"m-tensor-[{index},{len(data)},{protocol.fletcher16(data)}]")
        lines += [f"m-hex-[{data[i:i + 64].hex()}]" for i in range(0, len(data), 64)]
    lines += [f"m-validate-[{len(outputs)},{sum(map(len, outputs.values()))}]", "m-results-[0e0]", "m-check-[0,0]",
              "m-ready"]
    return ("\n".join(lines) + "\n").encode()


class Scripted(Transport):
    """Plays `reply` back once the host has written; after `cut` bytes the link is gone."""

    fast = False

    def __init__(self, reply: bytes, cut: int | None = None):
        super().__init__("scripted://")
        self.reply, self.cut, self.sent = reply, cut, 0
        self.written = b""

    def open(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.written += data

    def read(self, timeout: float) -> bytes:
        if not self.written or self.sent >= len(self.reply):
            return b""
        if self.cut is not None and self.sent >= self.cut:
            raise TransportError("scripted:// closed the connection")
        end = len(self.reply) if self.cut is None else min(self.cut, len(self.reply))
        chunk = self.reply[self.sent:min(end, self.sent + 50)]
        self.sent += len(chunk)
        return chunk


def client(transport: Transport) -> DeviceClient:
    c = DeviceClient(transport)
    c.info = DeviceInfo("m", "h", "aot", "b", 4, "int8", 1.0, 0, 1, "int8", 1.0, 0, "ticks", 3, db_bytes=124)
    return c


def layers() -> list[LayerInfo]:
    return [LayerInfo(i, "CONV_2D", 10 + i, f"t{i}", (len(d),), "uint8", 0.5, 0) for i, d in OUTPUTS.items()]


def test_every_layer_arrives_checked():
    got = client(Scripted(device_reply(OUTPUTS))).layer_outputs(b"\1\2\3\4", 1000)
    assert got.error is None and got.how == "hex"
    assert got.tensors == OUTPUTS and got.announced == [0, 1, 2]


def test_link_dropped_mid_transfer_keeps_the_layers_that_arrived():
    reply = device_reply(OUTPUTS)
    cut = reply.index(b"m-tensor-[1,") + 200  # inside layer 1's hex lines
    got = client(Scripted(reply, cut)).layer_outputs(b"\1\2\3\4", 1000)
    assert "link lost" in got.error
    assert got.tensors == {0: OUTPUTS[0]}
    host = [{i: np.frombuffer(d, np.uint8) for i, d in OUTPUTS.items()}] * 2
    r = {"layers": compare(layers(), [OUTPUTS, got.tensors], host, None, 2), "samples_received": 1}
    r["first_difference"] = first_difference(r["layers"])
    status = {row["index"]: (row["status"], row["samples"]) for row in r["layers"]}
    assert status == {0: ("identical", 2), 1: ("identical", 1), 2: ("identical", 1)}
    assert [c[3] for c in rows(r)] == ["identical", "identical (1/2 samples)", "identical (1/2 samples)"]
    only_first = compare(layers(), [got.tensors], host[:1], None, 1)
    assert [row["status"] for row in only_first] == ["identical", "not received", "not received"]
    ok, line = verdict({"layers": only_first, "first_difference": None, "samples_received": 0})
    assert not ok and "layers 1..2 not received" in line


def test_a_damaged_layer_is_not_compared():
    reply = device_reply(OUTPUTS)
    at = reply.index(b"m-hex-[", reply.index(b"m-tensor-[1,")) + 7
    reply = reply[:at] + b"00" * 8 + reply[at + 16:]  # 8 bytes of layer 1 changed on the way
    got = client(Scripted(reply)).layer_outputs(b"\1\2\3\4", 1000)
    assert 1 not in got.tensors and "layer 1" in got.error
    assert set(got.tensors) == {0, 2}


def test_first_difference_names_the_layer_in_lsb():
    host = [{i: np.frombuffer(d, np.uint8) for i, d in OUTPUTS.items()}]
    device = dict(OUTPUTS)
    device[1] = bytes([OUTPUTS[1][0] + 3]) + OUTPUTS[1][1:]
    r = compare(layers(), [device], host, None, 1)
    first = first_difference(r)
    assert (first["index"], first["tensor"], first["max_abs_diff_lsb"]) == (1, "t1", 3)
    assert first["first_differing_element"] == {"at": [0], "device": OUTPUTS[1][0] + 3, "host": OUTPUTS[1][0]}
    assert r[0]["status"] == "identical"
    ok, line = verdict({"layers": r, "first_difference": first, "samples_received": 1})
    assert not ok and "layer 1 (CONV_2D, tensor 't1')" in line and "at [0] the device has 53" in line


def test_sqnr_against_the_float_model():
    host = [{i: np.frombuffer(d, np.uint8) for i, d in OUTPUTS.items()}]
    # the float model's value is the dequantized output plus noise of a known power
    f = (np.frombuffer(OUTPUTS[0], np.uint8).astype(np.float64)) * 0.5 + 0.1
    r = compare(layers(), [OUTPUTS], host, [{"t0": f}], 1)
    want = 10 * np.log10(np.sum(f * f) / (len(f) * 0.01))
    assert abs(r[0]["sqnr_db"] - want) < 0.01 and r[1]["sqnr_db"] is None


def test_report_plots_sqnr_and_marks_mismatches(tmp_path):
    import json

    from toolchain import report

    host = [{i: np.frombuffer(d, np.uint8) for i, d in OUTPUTS.items()}]
    device = dict(OUTPUTS)
    device[2] = bytes([1]) + OUTPUTS[2][1:]
    floats = [{f"t{i}": np.frombuffer(d, np.uint8) * 0.5 + 0.1 for i, d in OUTPUTS.items()}]
    rows = compare(layers(), [device], host, floats, 1)
    (tmp_path / "validate.json").write_text(json.dumps({
        "model": "m", "board": "qemu-m4", "runtime": "aot", "status": "complete", "error": None, "layers": rows,
        "first_difference": first_difference(rows), "samples_received": 1}))
    page = report.write(tmp_path).read_text()
    assert "Validation per layer, aot (validate.json): SQNR against the float model" in page
    assert page.count("data:image/png;base64,") == 1


def test_bad_options_are_one_line_before_any_work(tmp_path):
    from tests.cli.test_bad_input import assert_clean_error
    from tests.conftest import run_cli

    for args, needle in ((["--samples", "0"], "--samples 0 would compare nothing"),
                         (["--board", "nope"], "unknown board 'nope'"),
                         (["--runtime", "foo"], "unknown runtime 'foo'")):
        r = run_cli("validate", "--model", "digits", *args, build=tmp_path)
        assert_clean_error(r, needle)
    assert not any(tmp_path.iterdir())  # nothing trained, built or written
