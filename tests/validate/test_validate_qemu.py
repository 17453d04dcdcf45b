"""`toolchain validate` on qemu-m4: every layer of digits and of an MLPerf model
identical to TFLite Micro's host reference for both runtimes; a fault planted
in the generated AOT C of layer k is named as the first mismatch, with every
layer before it identical; a link dropped mid-transfer keeps what was compared;
a validation firmware that cannot fit is refused before the build."""

import json
import re
from pathlib import Path

import pytest

from tests.harness.fault_proxy import FaultProxy
from toolchain import build
from toolchain.build import pio
from toolchain.device.emulate import Emulator
from toolchain.device.harness.transports import socket as socket_transport
from toolchain.paths import REPO, VALIDATE_FILE
from toolchain.validate import validate
from toolchain.validate.errors import ValidateError
from toolchain.validate.layers import model_layers
from toolchain.validate.run import on_device

pytestmark = [pytest.mark.slow, pytest.mark.qemu]


def all_identical(r: dict, samples: int) -> None:
    assert r["status"] == "complete" and r["error"] is None and r["first_difference"] is None, r["error"]
    assert r["samples_received"] == samples
    assert [l["status"] for l in r["layers"]] == ["identical"] * len(r["layers"])
    assert all(l["samples"] == samples for l in r["layers"])


@pytest.mark.parametrize("runtime", ["aot", "tflm"])
def test_digits_every_layer_identical_with_sqnr(build_dir, digits_manifest, tflm_tree, monkeypatch, runtime):
    monkeypatch.setenv("TOOLCHAIN_TFLM_DIR", str(tflm_tree))
    r = validate("digits", "qemu-m4", runtime=runtime, samples=10)
    all_identical(r, 10)
    assert len(r["layers"]) == len(model_layers(Path(digits_manifest["deploy"])))
    # the float model the int8 one came from: every layer matched by tensor name, quantization noise well below it
    assert all(l["sqnr_db"] is not None and 15 < l["sqnr_db"] < 80 for l in r["layers"])
    saved = json.loads((build_dir / "digits" / "qemu-m4" / VALIDATE_FILE).read_text())
    assert saved["layers"] == r["layers"] and saved["runtime"] == runtime


@pytest.mark.parametrize("runtime", ["aot", "tflm"])
def test_mlperf_kws_every_layer_identical(build_dir, mlperf, tflm_tree, monkeypatch, runtime):
    monkeypatch.setenv("TOOLCHAIN_TFLM_DIR", str(tflm_tree))
    r = validate(str(mlperf.kws), "qemu-m4", runtime=runtime, samples=5)
    all_identical(r, 5)
    assert r["float_reference"] is None and all(l["sqnr_db"] is None for l in r["layers"])


def plant(model_c: Path, what: str, k: int) -> None:
    """One weight of layer k (its first, moved by half the int8 range) or its first requantization multiplier
    (halved), in the generated C. Layer 6 is the last FULLY_CONNECTED: no ReLU after it, so no channel of it is
    dead and a changed multiplier always shows."""
    text = model_c.read_text()
    name = {"weight": f"l{k}_weights", "multiplier": f"l{k}_mult"}[what]
    m = re.search(rf"{name}\[\d+\] TM_CONST_ALIGN = {{\n    (-?\d+),", text)
    assert m, f"{name} not in {model_c}"
    v = int(m.group(1))
    new = (v + 128 if v < 0 else v - 128) if what == "weight" else v // 2
    model_c.write_text(text[:m.start(1)] + str(new) + text[m.end(1):])


@pytest.mark.parametrize("what,k", [("weight", 2), ("multiplier", 6)])
def test_fault_in_layer_k_is_named_first(digits_manifest, what, k):
    fw = build.build("digits", "qemu-m4", runtime="aot", validate=True)
    model_c = fw.project / "src" / "model" / "model.c"
    # without its object, pio recompiles the planted C even when the clock has not moved past the last build
    model_o = fw.project / ".pio" / "build" / fw.board.id / "src" / "model" / "model.o"
    plant(model_c, what, k)
    try:
        model_o.unlink(missing_ok=True)
        elf, _ = pio.run(fw.project, fw.board.id)
        layers = model_layers(Path(fw.prepared.tflite))
        r = on_device(fw.board, elf, fw.prepared, layers, runtime="aot", model_hash=fw.model_hash, samples=10)
    finally:
        model_c.unlink()  # the next build rewrites it from the generator, and compiles it again
        model_o.unlink(missing_ok=True)
    first = r["first_difference"]
    assert (first["index"], first["op"]) == (k, layers[k].op) and first["tensor"] == layers[k].name
    assert first["max_abs_diff_lsb"] > 0
    assert all(l["status"] == "identical" for l in r["layers"] if l["index"] < k)


def test_link_dropped_mid_transfer_keeps_the_compared_layers(digits_manifest, monkeypatch):
    monkeypatch.setattr(socket_transport.Transport, "fast", False)  # outputs as hex lines over the link
    fw = build.build("digits", "qemu-m4", runtime="aot", validate=True)
    layers = model_layers(Path(fw.prepared.tflite))
    emu = Emulator(fw.board, fw.elf).start()
    proxy = FaultProxy(emu.port, "callback", after=9000, on_fault=lambda: None)  # the proxy hangs up
    try:
        r = on_device(fw.board, fw.elf, fw.prepared, layers, runtime="aot", model_hash=fw.model_hash, samples=10,
                      url=proxy.url)
    finally:
        proxy.close()
        emu.stop()
    assert r["status"] == "incomplete" and "link lost" in r["error"]
    assert 0 < r["samples_received"] < 10
    assert all(l["status"] == "identical" for l in r["layers"])  # nothing received differs
    counts = [l["samples"] for l in r["layers"]]
    assert counts[0] >= counts[-1] >= r["samples_received"] and counts[0] <= r["samples_received"] + 1
    saved = json.loads((Path(fw.prepared.dir) / VALIDATE_FILE).read_text())
    assert saved["status"] == "incomplete" and saved["layers"] == r["layers"]


def test_validation_firmware_too_big_is_refused_before_the_build(build_dir, mlperf, board_file):
    # ResNet-8's AOT arena grows from 26,336 B to 35,040 B when no layer is streamed; 48 KiB holds the one, not the other
    board_file("small-m4", (REPO / "boards" / "qemu-m4.toml").read_text().replace("ram = 4194304", "ram = 49152"))
    with pytest.raises(ValidateError) as e:
        validate(str(mlperf.resnet), "small-m4", runtime="aot", samples=1)
    assert "49,152 B" in e.value.message and "35,040 B" in e.value.message
    assert not list(build_dir.glob("pretrainedResnet_quant/small-m4/firmware*"))
