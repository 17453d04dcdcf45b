"""`toolchain personalize` end to end on digits on qemu-m4 (SGD, and a new class
by imprinting), and its bad input: one `Error:` line, a non-zero exit, nothing
built touched."""

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli.test_bad_input import assert_clean_error, snapshot
from tests.conftest import run_cli
from toolchain.paths import PERSONALIZE_FILE
from toolchain.personalize.config import DEFAULTS


def write_folder(root: Path, manifest: dict, per_class: int, new_class: str | None = None) -> Path:
    """digits' held-out images as float .npy examples, `per_class` of each class; a `new_class` of blank-ish images."""
    test = np.load(Path(manifest["deploy"]).parent / "test_set.npz")  # float inputs, as the recipe's loader gives them
    x, y = test["x"], test["y"]
    for k, name in enumerate(manifest["labels"]):
        d = root / name
        d.mkdir(parents=True)
        for i in np.flatnonzero(y == k)[:per_class]:
            np.save(d / f"{i:04d}.npy", x[i].astype(np.float32))
    if new_class:
        d = root / new_class
        d.mkdir()
        rng = np.random.default_rng(0)
        for i in range(per_class):  # a frame: bright border, dark middle
            img = np.zeros(x.shape[1:], np.float32)
            img[0, :], img[-1, :], img[:, 0], img[:, -1] = 0.9, 0.9, 0.9, 0.9
            np.save(d / f"{i:04d}.npy", np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1).astype(np.float32))
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory, digits_manifest):
    return write_folder(tmp_path_factory.mktemp("personal") / "data", digits_manifest, 8)


@pytest.mark.slow
@pytest.mark.qemu
def test_sgd_end_to_end(folder, build_dir):
    r = run_cli("personalize", "--board", "qemu-m4", "--model", "digits", "--data", str(folder), "--shots", "3",
                "--epochs", "4", "--lr", "0.02", build=build_dir)
    assert r.returncode == 0, r.stderr
    out = json.loads((build_dir / "digits" / "qemu-m4" / PERSONALIZE_FILE).read_text())
    assert out["status"] == "complete" and out["mode"] == "sgd" and out["examples"] == {"learned": 30, "held": 50}
    assert out["replay"]["head_identical"] and out["replay"]["predictions_identical"]
    assert out["replay"]["embeddings_identical"]  # the backbone on the device: TFLM's on the host, exactly
    anchors = out["replay"]["anchors"]
    assert out["cost"]["steps"] == 120 * (1 + DEFAULTS.anchor_ratio) + anchors * DEFAULTS.final_anchor_pass
    assert out["cost"]["instructions_per_step"] > 100
    assert out["replay"]["anchors"] >= 10 * DEFAULTS.anchors_per_class and out["replay"]["steps_identical"]
    assert out["head"]["arithmetic"] == "float32"
    mem = out["memory"]
    assert mem["extra_ram_bytes"] >= mem["head_bytes"] + mem["learn_store_bytes"] + mem["held_store_bytes"]
    per = out["accuracy"]["after"]["per_class"]
    assert sum(v["held"] for v in per.values()) == 50 and all(v["held"] == 5 for v in per.values())
    split = out["test_split"]  # forgetting, on the recipe's own test split
    assert split["samples"] == 360 and 0.5 < split["before"] <= 1 and 0 < split["after"] <= 1
    assert "the recipe's test split (360 samples)" in r.stdout
    assert "host replay: the device's head, bit for bit" in r.stdout
    assert "Personalization (toolchain personalize)" in (build_dir / "digits" / "qemu-m4" / "report.html").read_text()


@pytest.mark.slow
@pytest.mark.qemu
def test_imprint_adds_a_class(tmp_path, digits_manifest, build_dir):
    data = write_folder(tmp_path / "data", digits_manifest, 7, new_class="frame")
    r = run_cli("personalize", "--board", "qemu-m4", "--model", "digits", "--data", str(data), "--mode", "imprint",
                "--new-class", "frame", "--shots", "5", build=build_dir)
    assert r.returncode == 0, r.stderr
    out = json.loads((build_dir / "digits" / "qemu-m4" / PERSONALIZE_FILE).read_text())
    assert out["labels"][-1] == "frame" and out["examples"]["learned"] == 5
    frame = out["accuracy"]["after"]["per_class"]["frame"]
    assert frame["held"] == 2 and frame["accuracy"] == 1.0
    assert out["accuracy"]["before"]["per_class"]["frame"]["accuracy"] == 0.0  # no row for it before
    assert out["replay"]["head_identical"] and out["replay"]["predictions_identical"]


@pytest.mark.slow
@pytest.mark.parametrize("case,args,needles", [
    ("no folder", ["--data", "{tmp}/missing"], ["data folder", "not found"]),
    ("unknown label", ["--data", "{tmp}/unknown"], ["'marvin'", "not a class of the model"]),
    ("wrong size", ["--data", "{tmp}/wrong"], ["values of shape", "the model takes"]),
    ("too few", ["--data", "{tmp}/few", "--shots", "5"], ["has 3 examples", "--shots 2"]),
    ("imprint unnamed", ["--data", "{tmp}/few", "--mode", "imprint"], ["--new-class"]),
    ("bad mode", ["--data", "{tmp}/few", "--mode", "adam"], ["unknown --mode adam"]),
])
def test_bad_input_one_line(tmp_path, digits_manifest, build_dir, case, args, needles):
    shape = np.load(Path(digits_manifest["deploy"]).parent / "test_set.npz")["x"].shape[1:]
    for name, n, s in [("unknown/0", 6, shape), ("unknown/marvin", 6, shape), ("wrong/0", 6, (3, 3)),
                       ("few/0", 3, shape), ("few/1", 3, shape)]:
        (tmp_path / name).mkdir(parents=True)
        for i in range(n):
            np.save(tmp_path / name / f"{i}.npy", np.zeros(s, np.float32))
    before = snapshot(build_dir / "digits" / "host")
    r = run_cli("personalize", "--board", "qemu-m4", "--model", "digits",
                *[a.format(tmp=tmp_path) for a in args], build=build_dir)
    assert_clean_error(r, *needles)
    assert snapshot(build_dir / "digits" / "host") == before
