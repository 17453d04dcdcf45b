"""The digits recipe end to end: every artifact is real, parses back, and the
runtimes agree with each other on every held-out sample."""

import json
from pathlib import Path

import numpy as np
import pytest

from toolchain.manifest import file_hash
from toolchain.evaluate import io_quant, litert_outputs, onnx_outputs, tflm_outputs

pytestmark = pytest.mark.slow


def test_manifest_contract(digits_manifest, build_dir):
    m = json.loads((build_dir / "digits" / "host" / "manifest.json").read_text())
    assert m["model"] == "digits" and m["board"] == "host"
    assert m["ops"] == ["CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]
    assert m["arena_bytes"] > m["arena_measured_bytes"] > 0
    names = [a["name"] for a in m["artifacts"]]
    assert names == ["float", "pruned", "distilled", "int8", "float16", "dynamic", "qat", "onnx", "tflm"]
    for a in m["artifacts"]:
        assert Path(a["path"]).exists() and a["size_bytes"] > 0
    assert set(m["lineage"]) >= {"recipe_hash", "seed", "hashes", "versions", "config"}
    d = build_dir / "digits" / "host"
    for name, digest in m["lineage"]["hashes"].items():
        assert file_hash(d / name) == digest, name


def test_accuracy_float_and_int8(digits_manifest):
    acc = {a["name"]: a["accuracy"] for a in digits_manifest["artifacts"]}
    assert acc["float"] >= 0.95
    assert acc["int8"] >= acc["float"] - 0.02
    assert digits_manifest["artifacts"][1]["sparsity"] == pytest.approx(0.5, abs=0.02)


def test_tflm_and_litert_agree_on_every_sample(digits_manifest, build_dir):
    d = build_dir / "digits" / "host"
    tfl = (d / "int8.tflite").read_bytes()
    x = np.load(d / "test_set.npz")["x"]
    qin, _ = io_quant(tfl)
    tflm = tflm_outputs(tfl, qin.quantize(x), digits_manifest["arena_measured_bytes"]).astype(int)
    litert, _ = litert_outputs(tfl, x, xnnpack=False)
    assert (tflm.argmax(1) == litert.argmax(1)).all()
    assert np.abs(tflm - litert.astype(int)).max() <= 1
    row = next(a for a in digits_manifest["artifacts"] if a["name"] == "tflm")
    assert row["vs_litert"]["samples"] == len(x)


def test_onnx_matches_keras(digits_manifest, build_dir):
    from toolchain.train.tf import keras

    d = build_dir / "digits" / "host"
    x = np.load(d / "test_set.npz")["x"]
    ref = keras.models.load_model(d / "float.keras", compile=False).predict(x, verbose=0)
    assert np.abs(onnx_outputs(d / "model.onnx", x) - ref).max() <= 1e-5


def test_tflm_sources_embed_the_model(digits_manifest, build_dir):
    src = (build_dir / "digits" / "host" / "tflm" / "model_data.cc").read_text()
    body = src.split("{", 1)[1].split("}", 1)[0]
    data = bytes(int(t, 16) for t in body.replace(",", " ").split())
    assert data == Path(digits_manifest["deploy"]).read_bytes()
    assert "alignas(16)" in src


def test_second_run_reuses_everything(digits_manifest, build_dir):
    from toolchain.pipeline import export

    before = (build_dir / "digits" / "host" / "float.keras").stat().st_mtime_ns
    assert export("digits", "host", seed=0)["artifacts"] == digits_manifest["artifacts"]
    assert (build_dir / "digits" / "host" / "float.keras").stat().st_mtime_ns == before
