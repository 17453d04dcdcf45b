"""Bad input: one clear `Error:` line, a non-zero exit, no traceback, and
nothing already built is touched."""

import hashlib
import json
import random

import pytest

from tests.conftest import REPO, run_cli


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
def corrupt_models(tmp_path, mlperf):
    data = mlperf.kws.read_bytes()
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
    assert_clean_error(r, {"truncated": "truncated", "random": "not a valid .tflite", "empty": "is empty"}[kind])
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


@pytest.mark.parametrize("args, needle", [
    (["export", "--seed", "many"], "Invalid value for '--seed'"),
    (["flash"], "Missing option '--board'"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["bench", "--modle", "digits"], "No such option: --modle"),
])
def test_usage_error_is_one_line(tmp_path, args, needle):
    r = run_cli(*args, build=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert_clean_error(r, needle, "--help")


@pytest.mark.slow  # each case starts a training run through the CLI
@pytest.mark.parametrize("body, needle", [
    ('raise ValueError("oops")', "model.py:2: build(variant='default') raised ValueError: oops"),
    ("return None", "returned NoneType, not a Keras model"),
    ("return keras.Sequential([keras.layers.Input(input_shape), keras.layers.Dense(3)])", "has 3 outputs but the data has 1"),
])
def test_broken_user_model_is_blamed_on_the_recipe(tmp_path, body, needle):
    rec = tmp_path / "mine"
    rec.mkdir()
    (rec / "recipe.toml").write_text('name = "mine"\ntask = "regression"\n[data]\nloader = "sine"\n')
    (rec / "model.py").write_text(f'def build(keras, input_shape, num_outputs, variant="default"):\n    {body}\n')
    r = run_cli("train", "--model", str(rec), build=tmp_path / "b")
    assert_clean_error(r, needle)


@pytest.mark.slow
def test_float_model_refused_for_devices(digits_manifest, build_dir, tmp_path):
    f = tmp_path / "float16.tflite"
    f.write_bytes((build_dir / "digits" / "host" / "float16.tflite").read_bytes())
    r = run_cli("export", "--model", str(f), "--board", "qemu-m4", build=build_dir)
    assert_clean_error(r, "not a full-integer int8 model", "--quantize int8")
    assert not (build_dir / "float16").exists()


@pytest.mark.parametrize("make, needle", [
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
])
def test_not_a_model_file(tmp_path, make, needle):
    f = tmp_path / "m.tflite"
    make(f)
    assert_clean_error(run_cli("export", "--model", str(f), build=tmp_path / "b"), needle)


@pytest.mark.parametrize("cmd", [["build", "--board", "qemu-m4"], ["bench", "--board", "nano33", "--port", "/dev/null"]])
def test_unknown_runtime_is_refused_first(tmp_path, cmd):
    r = run_cli(*cmd, "--model", "digits", "--runtime", "tflx", build=tmp_path)
    assert_clean_error(r, "unknown runtime 'tflx'", "aot")
    assert not (tmp_path / "digits").exists()  # refused before any training


@pytest.mark.slow
def test_ctrl_c_during_training_keeps_the_previous_model(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    assert run_cli("train", "--model", "digits", build=tmp_path).returncode == 0
    model = tmp_path / "digits" / "host" / "float.keras"
    before = hashlib.sha256(model.read_bytes()).hexdigest()
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(tmp_path)}
    p = subprocess.Popen([sys.executable, "-m", "toolchain", "train", "--model", "digits", "--force", "--seed", "9"],
                         stderr=subprocess.PIPE, text=True, env=env)
    assert "data: input" in p.stderr.readline()  # the data summary, then the line printed as training starts
    assert "training digits" in p.stderr.readline()
    time.sleep(1)
    p.send_signal(signal.SIGINT)
    err = p.stderr.read()
    assert p.wait(60) == 130
    assert "Error: interrupted; finished steps are kept" in err and "Traceback" not in err
    assert hashlib.sha256(model.read_bytes()).hexdigest() == before
    assert not list(model.parent.glob(".tmp-*"))


def test_optimize_a_tflite_needs_a_recipe(tmp_path, mlperf):
    r = run_cli("optimize", "--model", str(mlperf.kws), "--quantize", "int8", build=tmp_path)
    assert_clean_error(r, "is a .tflite model, and this step needs a recipe")


def test_folder_without_recipe_toml(tmp_path):
    (tmp_path / "empty").mkdir()
    assert_clean_error(run_cli("export", "--model", str(tmp_path / "empty"), build=tmp_path / "b"), "has no recipe.toml")


@pytest.mark.slow
def test_build_after_a_float16_only_plan(tmp_path):
    """A plan that made no int8 model: the device commands say so, no traceback (it used to crash in prepare)."""
    r = run_cli("optimize", "--model", "sine", "--quantize", "float16", build=tmp_path)
    assert r.returncode == 0, r.stderr
    for cmd in ("build", "bench", "emulate"):
        assert_clean_error(run_cli(cmd, "--board", "qemu-m4", "--model", "sine", build=tmp_path),
                           "made no int8 model to deploy (made: float16)", "--quantize int8")


def test_bare_command_shows_help_without_an_error(tmp_path):
    r = run_cli(build=tmp_path)
    assert r.returncode == 0 and "Usage: toolchain" in r.stdout and "Error" not in r.stderr


def test_version_and_verbose_after_the_command(tmp_path):
    r = run_cli("--version", build=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("toolchain ")
    r = run_cli("boards", "-v", build=tmp_path)
    assert r.returncode == 0 and "qemu-m4" in r.stdout


@pytest.mark.parametrize("cmd", ["boards", "train", "optimize", "export", "build", "flash", "emulate", "bench", "report",
                                 "history", "sweep", "monitor"])
def test_every_help_has_an_example(cmd, tmp_path):
    r = run_cli(cmd, "--help", build=tmp_path)
    assert r.returncode == 0 and f"Example: toolchain {cmd}" in r.stdout


@pytest.mark.parametrize("port", ["socket://10.0.0.1:4444", "70000", "socket://127.0.0.1:x"])
def test_emulate_port_is_a_local_port_or_its_url(port, tmp_path):
    assert_clean_error(run_cli("emulate", "--port", port, build=tmp_path), "is not a local TCP port",
                       "socket://127.0.0.1:PORT")


@pytest.mark.parametrize("cmd", [["export"], ["report"], ["history"]])
def test_unknown_board_is_refused_and_makes_no_folder(cmd, tmp_path):
    assert_clean_error(run_cli(*cmd, "--board", "foo", "--model", "digits", build=tmp_path), "unknown board 'foo'")
    assert not (tmp_path / "digits" / "foo").exists()


def test_two_recipes_with_one_name(tmp_path):
    """A copied recipe folder that keeps its name would share (and overwrite) the other's build folder."""
    mine = tmp_path / "copy_of_sine"
    mine.mkdir()
    for f in (REPO / "models" / "sine").iterdir():
        (mine / f.name).write_text(f.read_text())
    host = tmp_path / "build" / "sine" / "host"
    host.mkdir(parents=True)
    (host / "manifest.json").write_text(json.dumps({"recipe": str(REPO / "models" / "sine")}))
    r = run_cli("train", "--model", str(mine), build=tmp_path / "build")
    assert_clean_error(r, "two recipes are named 'sine'", "new `name`")
