import json

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import SHARED_MODELS, run_cli

KWS = SHARED_MODELS / "kws_ref_model.tflite"
from toolchain import paths
from toolchain.device.emulate import free_port

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


def test_bench_imported_model_random_inputs(tmp_path, mlperf):
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(KWS), "--samples", "5", "--json", build=tmp_path)
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["status"] == "complete" and b["latency"]["unit"] == "instructions (emulated)"
    assert b["latency"]["instructions_median"] > 1_000_000 and b["latency"]["runs"] == 5
    assert b["accuracy"] == {**b["accuracy"], "samples": 5, "agreement": 1.0, "device": None}
    assert b["memory"]["stack_bytes"] > 0 and b["memory"]["arena_bytes"] > 0
    d = tmp_path / "kws_ref_model" / "qemu-m4"
    assert json.loads((d / "bench.json").read_text())["status"] == "complete"
    assert "data:image/png;base64" in (d / "report.html").read_text()


def test_digits_whole_split_under_a_minute(digits_manifest, build_dir):
    r = run_cli("bench", "--board", "qemu-m4", "--model", "digits", build=build_dir)
    assert r.returncode == 0, r.stderr
    b = json.loads((build_dir / "digits" / "qemu-m4" / "bench.json").read_text())
    assert b["accuracy"]["samples"] == 360 and b["accuracy"]["agreement"] == 1.0
    assert b["accuracy"]["device"] == b["accuracy"]["host_int8"] > 0.9
    assert b["wall_seconds"] < 60
    # what the report answers: per class, per layer, where the model comes from
    pred = b["accuracy"]["predictions"]
    assert len(pred["device"]) == len(pred["label"]) == 360 and pred["device"] == pred["host_int8"]
    html = (build_dir / "digits" / "qemu-m4" / "report.html").read_text()
    for section in ("Confusion matrices, host int8 and device", "Per class (held-out split)", "Training curves",
                    "<h2>Layers</h2>", "data hash", "toolchain git commit", "deployed model"):
        assert section in html, section


def test_nothing_listening_on_port(tmp_path, mlperf):
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(KWS), "--port", f"socket://127.0.0.1:{free_port()}",
                build=tmp_path)
    assert_clean_error(r, "cannot connect", "toolchain emulate")


def test_real_board_needs_a_port(tmp_path, board_file, mlperf):
    text = (paths.BOARDS / "qemu-m4.toml").read_text()
    board_file("devkit", text.replace('emulator = "qemu-system-arm"', 'emulator = "none"'))
    r = run_cli("bench", "--board", "devkit", "--model", str(KWS), build=tmp_path / "build")
    assert_clean_error(r, "devkit", "--port")


def test_same_model_twice_gives_identical_instruction_counts_and_layer_profile(tmp_path, mlperf):
    d = tmp_path / "kws_ref_model" / "qemu-m4"

    def latency(*extra, results="bench.json"):
        r = run_cli("bench", "--board", "qemu-m4", "--model", str(KWS), "--samples", "1", *extra, build=tmp_path)
        assert r.returncode == 0, r.stderr
        return json.loads((d / results).read_text())["latency"]

    first, second = latency(), latency()
    assert first["per_run"] == second["per_run"] and first["units_per_tick"] == 40.0
    profiled = latency("--profile", results="bench-profile.json")
    layers = profiled["layers"]
    assert layers[0]["op"] == "CONV_2D" and len(layers) > 5
    assert sum(l["value"] for l in layers) == pytest.approx(profiled["instructions_median"], rel=0.01)
    # the slower profiled run is kept apart: bench.json and the manifest keep the plain figures
    assert profiled["instructions_median"] > second["instructions_median"]
    assert json.loads((d / "bench.json").read_text())["latency"] == second
    assert json.loads((d / "manifest.json").read_text())["bench"]["latency"] == second
    html = (d / "report.html").read_text()
    assert f"{second['instructions_median']:,} instructions (emulated)" in html
    assert "Latency per layer (profiled build)" in html and "bench-profile.json" in html


def test_regression_model_reports_mae_not_accuracy(build_dir):
    r = run_cli("bench", "--board", "qemu-m4", "--model", "sine", "--samples", "40", build=build_dir)
    assert r.returncode == 0, r.stderr
    assert "MAE on device" in r.stdout and "accuracy" not in r.stdout and "top-1" not in r.stdout
    d = build_dir / "sine" / "qemu-m4"
    acc = json.loads((d / "bench.json").read_text())["accuracy"]
    assert acc["device"] is None and acc["host_int8"] is None and "top1_agreement" not in acc
    # sin(x) with noise 0.1: a trained model is well under 0.3 off, the device exactly as off as the host int8
    assert acc["agreement"] == 1.0 and 0 < acc["mae_device"] == acc["mae_host_int8"] < 0.3
    assert "MAE per artifact" in (d / "report.html").read_text()


@pytest.mark.slow
@pytest.mark.qemu
def test_bench_the_qat_variant_with_its_labels(digits_manifest, build_dir):
    r = run_cli("bench", "--board", "qemu-m4", "--model", "digits", "--variant", "qat", "--samples", "30", "--json",
                build=build_dir)
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["variant"] == "qat" and b["accuracy"]["agreement"] == 1.0
    assert b["accuracy"]["device"] is not None  # labelled: the recipe's held-out split, not "no labels"


@pytest.mark.slow
@pytest.mark.parametrize("variant, needle", [("float16", "keeps float weights"), ("pruned", "Keras stage"),
                                             ("int4", "unknown variant 'int4'")])
def test_variants_that_do_not_deploy(variant, needle, digits_manifest, build_dir):
    assert_clean_error(run_cli("build", "--board", "qemu-m4", "--model", "digits", "--variant", variant,
                               build=build_dir), needle)
