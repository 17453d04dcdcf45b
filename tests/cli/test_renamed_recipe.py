"""A recipe folder named otherwise than its recipe's `name` (a user copies models/digits to accel/ and calls it
"accelbar"): every command finds the model's build folder by the recipe's `name`, the same one the pipeline
writes, through bench, `--variant`, `bench --stream`, monitor, history and report."""

import json
import re
import shutil

import pytest

from tests.conftest import run_cli
from toolchain import manifest
from toolchain.paths import BENCH_FILE, MONITOR_FILE, RECIPES, STREAM_FILE

pytestmark = [pytest.mark.slow, pytest.mark.qemu]

SAMPLES = "20"


def copy_recipe(src: str, dest, name: str, changes: dict[str, str]):
    """models/<src> copied to `dest` under the name `name`, with `changes` (key -> new value) to make it cheap."""
    dest.mkdir()
    shutil.copy(RECIPES / src / "model.py", dest / "model.py")
    text = (RECIPES / src / "recipe.toml").read_text().replace(f'name = "{src}"', f'name = "{name}"')
    for key, value in changes.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert n == 1, f"models/{src}/recipe.toml has no single '{key} =': update this test"
    (dest / "recipe.toml").write_text(text)
    return dest


@pytest.fixture(scope="module")
def accel(tmp_path_factory):
    return copy_recipe("digits", tmp_path_factory.mktemp("recipes") / "accel", "accelbar",
                       {"epochs": "4", "fine_tune_epochs": "1"})


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return tmp_path_factory.mktemp("build")


def ok(r):
    assert r.returncode == 0, r.stderr
    return r


def test_bench_variant_monitor_history_and_report_use_the_recipes_name(accel, build):
    d = build / "accelbar" / "qemu-m4"
    ok(run_cli("bench", "--board", "qemu-m4", "--model", str(accel), "--samples", SAMPLES, build=build))
    first = json.loads((d / BENCH_FILE).read_text())
    assert first["model"] == "accelbar" and first["accuracy"]["samples"] == int(SAMPLES)
    assert (d / "report.html").is_file()

    r = ok(run_cli("bench", "--board", "qemu-m4", "--model", str(accel), "--variant", "qat", "--samples", SAMPLES,
                   "--json", build=build))
    qat = json.loads(r.stdout)
    assert qat["model"] == "accelbar" and qat["variant"] == "qat"
    assert json.loads((d / BENCH_FILE).read_text())["variant"] == "qat"

    r = ok(run_cli("monitor", "--board", "qemu-m4", "--model", str(accel), "--feed", "split", "--samples", "200",
                   "--window", "100", "--json", build=build))
    assert json.loads(r.stdout)["status"] == "complete" and (d / MONITOR_FILE).is_file()

    ok(run_cli("history", "--board", "qemu-m4", "--model", str(accel), build=build))
    ok(run_cli("report", "--board", "qemu-m4", "--model", str(accel), build=build))
    models = sorted(p.name for p in build.iterdir() if p.name != "cache")  # cache/: what builds share
    assert models == ["accelbar"], "nothing may be written under the folder's name"
    for folder in (build / "accelbar" / "host", d):  # every key the steps wrote is in the typed contract
        m = manifest.read(folder)
        assert m["version"] == manifest.VERSION and m["model"] == "accelbar"
        assert set(m) <= set(manifest.Manifest.__annotations__), set(m) - set(manifest.Manifest.__annotations__)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed (setup.sh installs it)")
def test_bench_stream_of_a_renamed_audio_recipe(tmp_path_factory, build):
    kw = copy_recipe("keywords", tmp_path_factory.mktemp("recipes") / "kw", "kwbar",
                     {"clips_per_class": "12", "unknown_factor": "1", "epochs": "2"})
    r = ok(run_cli("bench", "--stream", "--board", "qemu-m4", "--model", str(kw), "--minutes", "0.1", "--json",
                   build=build))
    assert json.loads(r.stdout)["model"] == "kwbar"
    d = build / "kwbar" / "qemu-m4"
    assert (d / STREAM_FILE).is_file() and (d / "report.html").is_file()
    assert not (build / "kw").exists()
