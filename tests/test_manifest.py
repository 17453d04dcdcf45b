"""manifest.json's contract: a version on every write, files from before versions still read, a newer one refused
with one clear line, and the model facts a board's folder takes from the host's named once (ModelFacts)."""

import json

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain import manifest


def test_every_write_carries_the_version(tmp_path):
    m = manifest.update(tmp_path, model="m", steps={"train": "k"})
    on_disk = json.loads((tmp_path / manifest.NAME).read_text())
    assert m == on_disk and on_disk["version"] == manifest.VERSION and on_disk["model"] == "m"


def test_a_manifest_from_before_versions_is_read_as_it_is(tmp_path):
    old = {"model": "digits", "task": "classification", "labels": ["0", "1"], "steps": {"train": "abc"}}
    (tmp_path / manifest.NAME).write_text(json.dumps(old))
    assert manifest.read(tmp_path) == old
    assert manifest.update(tmp_path, board="host")["labels"] == ["0", "1"]  # and rewritten with a version


def test_a_newer_manifest_is_refused_with_what_to_do(tmp_path):
    (tmp_path / manifest.NAME).write_text(json.dumps({"version": manifest.VERSION + 1, "model": "m"}))
    with pytest.raises(manifest.ManifestError, match="newer toolchain") as e:
        manifest.read(tmp_path)
    assert "rerun the step" in str(e.value)


def test_the_cli_says_so_in_one_line(tmp_path):
    d = tmp_path / "fake" / "qemu-m4"
    d.mkdir(parents=True)
    (d / "bench.json").write_text(json.dumps({"model": "fake", "board": "qemu-m4", "runtime": "aot",
                                              "status": "complete"}))
    (d / manifest.NAME).write_text(json.dumps({"version": manifest.VERSION + 1}))
    assert_clean_error(run_cli("report", "--board", "qemu-m4", "--model", "fake.tflite", build=tmp_path),
                       "written by a newer toolchain", "rerun the step")


def test_model_facts_are_the_typed_keys_and_nothing_else():
    host = {"model": "m", "labels": ["a"], "steps": {"train": "k"}, "plan": {}, "recipe": "/r", "version": 1}
    facts = manifest.model_facts(host)
    assert set(facts) == set(manifest.ModelFacts.__annotations__)
    assert facts["model"] == "m" and facts["labels"] == ["a"] and facts["deploy"] is None
    assert set(manifest.ModelFacts.__annotations__) < set(manifest.Manifest.__annotations__)
