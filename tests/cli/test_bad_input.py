"""Bad input: one clear `Error:` line, a non-zero exit, no traceback, and
nothing already built is touched."""

import hashlib
import random

import pytest

from tests.conftest import KWS, run_cli


def snapshot(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_clean_error(r, *needles):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr + r.stdout
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, r.stderr
    for n in needles:
        assert n in errors[0], errors[0]


@pytest.fixture
def corrupt_models(tmp_path):
    data = KWS.read_bytes()
    truncated = tmp_path / "truncated.tflite"
    truncated.write_bytes(data[: len(data) // 3])
    rnd = tmp_path / "random.tflite"
    rnd.write_bytes(random.Random(1).randbytes(5000))
    empty = tmp_path / "empty.tflite"
    empty.write_bytes(b"")
    return {"truncated": truncated, "random": rnd, "empty": empty}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["truncated", "random", "empty"])
def test_corrupt_tflite(kind, corrupt_models, digits_manifest, build_dir):
    before = snapshot(build_dir)
    r = run_cli("export", "--model", str(corrupt_models[kind]), build=build_dir)
    assert_clean_error(r, "not a valid .tflite" if kind != "truncated" else kind)
    assert {p: h for p, h in snapshot(build_dir).items() if p in before} == before


@pytest.mark.slow
def test_recipe_typo(digits_manifest, build_dir):
    before = snapshot(build_dir)
    r = run_cli("export", "--model", "digts", build=build_dir)
    assert_clean_error(r, "unknown model 'digts'", "did you mean 'digits'")
    assert snapshot(build_dir) == before


@pytest.mark.slow
def test_unknown_quantization_mode(digits_manifest, build_dir):
    before = snapshot(build_dir)
    r = run_cli("optimize", "--model", "digits", "--quantize", "int4", build=build_dir)
    assert_clean_error(r, "unknown quantization mode 'int4'", "int8")
    assert snapshot(build_dir) == before


def test_recipe_file_with_unknown_key(tmp_path):
    rec = tmp_path / "mine"
    rec.mkdir()
    (rec / "recipe.toml").write_text('name = "mine"\n[data]\nloader = "digits"\n[train]\nepochz = 3\n')
    (rec / "model.py").write_text("def build(keras, input_shape, num_outputs, variant):\n    pass\n")
    r = run_cli("train", "--model", str(rec), build=tmp_path / "b")
    assert_clean_error(r, "unknown key 'epochz'", "did you mean 'epochs'")


def test_usage_error_is_one_line(tmp_path):
    r = run_cli("export", "--seed", "many", build=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "Invalid value for '--seed'" in r.stderr
