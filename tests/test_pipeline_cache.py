"""The step cache never reports stale artifacts as up to date, and device
steps deploy what the user last optimized."""

import json
from pathlib import Path

import pytest

from toolchain.manifest import file_hash
from toolchain.optimize import Plan

pytestmark = pytest.mark.slow


def consistent(m: dict, d: Path) -> None:
    """Every artifact row describes the file that is on disk now."""
    for row in m["artifacts"]:
        p = Path(row["path"])
        assert p.exists(), row["name"]
        if p.suffix == ".tflite":
            assert row["size_bytes"] == p.stat().st_size, row["name"]
    for name, digest in m["lineage"]["hashes"].items():
        assert file_hash(d / name) == digest, name
    src = (d / "tflm" / "model_data.cc").read_text()
    assert f"g_model_data_len = {Path(m['deploy']).stat().st_size};" in src


def test_optimize_then_export_and_prepare(tmp_path, monkeypatch):
    from toolchain.pipeline import export, optimize_step, prepare
    from toolchain.recipes import load

    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    d = tmp_path / "sine" / "host"
    consistent(export("sine"), d)
    custom = Plan(prune=0.6, quantize=["int8"])
    optimize_step(load("sine"), 0, custom)
    stale = json.loads((d / "manifest.json").read_text())
    assert stale["artifacts"] == [] and stale["lineage"] == {} and "export" not in stale["steps"]  # nothing describes the old models
    int8 = file_hash(d / "int8.tflite")
    # a device step deploys the user's plan instead of re-optimizing to the recipe's
    p = prepare("sine", "qemu-m4")
    assert file_hash(p.tflite) == int8
    after = json.loads((d / "manifest.json").read_text())
    assert after["plan"] == custom.to_dict()
    consistent(after, d)
    assert (d / "pruned.keras").exists() and not (d / "float16.tflite").exists()
    # export without flags is the recipe's plan again: everything re-made and described
    m = export("sine")
    assert {a["name"] for a in m["artifacts"]} >= {"float16", "dynamic"}
    consistent(m, d)


def test_prune_reaches_target_on_a_short_fine_tune(tmp_path, monkeypatch):
    """gesture fine-tunes for ~20 steps: masks must still be applied."""
    from toolchain.optimize.prune import sparsity
    from toolchain.pipeline import optimize_step
    from toolchain.recipes import load
    from toolchain.train.tf import keras

    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    _, _, _, made = optimize_step(load("gesture"), 0, Plan(prune=0.3, quantize=["int8"]))
    assert sparsity(keras.models.load_model(made["pruned"], compile=False)) >= 0.28


def test_changed_pipeline_code_retrains(tmp_path, monkeypatch):
    from toolchain import pipeline
    from toolchain.recipes import load

    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    recipe = load("sine")
    d, _, _ = pipeline.train_step(recipe, 0)
    first = (d / "float.keras").stat().st_mtime_ns
    pipeline.train_step(recipe, 0)
    assert (d / "float.keras").stat().st_mtime_ns == first  # same code: reused
    monkeypatch.setattr(pipeline, "code_fingerprint", lambda: "changed")
    pipeline.train_step(recipe, 0)
    assert (d / "float.keras").stat().st_mtime_ns != first


def test_cached_export_loads_neither_tensorflow_nor_the_data(digits_manifest, build_dir):
    """An up-to-date export only reads manifests: it imports no TensorFlow and loads no data set (under 1 s)."""
    import os
    import subprocess
    import sys

    code = ("import sys, time; t = time.monotonic(); from toolchain.pipeline import export; export('digits'); "
            "print(time.monotonic() - t, 'tensorflow' in sys.modules, 'sklearn' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "TOOLCHAIN_BUILD_DIR": str(build_dir)})
    assert r.returncode == 0, r.stderr
    seconds, tf_loaded, sklearn_loaded = r.stdout.split()
    assert (tf_loaded, sklearn_loaded) == ("False", "False"), r.stderr
