"""The tflm runtime end to end on QEMU: TFLite Micro built from the shared
tree, run by our harness, outputs bit-exact with the host reference, and
side by side with the AOT runtime (`bench --compare`)."""

import json

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli


def test_no_tree_given_is_one_clear_error(tmp_path, mlperf):
    r = run_cli("build", "--board", "qemu-m4", "--model", str(mlperf.kws), "--runtime", "tflm", build=tmp_path,
                unset=("TOOLCHAIN_TFLM_DIR",))
    assert_clean_error(r, "needs a TFLite Micro source tree", "--tflm-dir")


def test_missing_tree_is_one_clear_error(tmp_path, mlperf):
    r = run_cli("build", "--board", "qemu-m4", "--model", str(mlperf.kws), "--runtime", "tflm",
                "--tflm-dir", str(tmp_path / "nowhere"), build=tmp_path)
    assert_clean_error(r, "does not exist", "create_tflm_tree.py")


def test_broken_tree_is_one_clear_error(tmp_path, mlperf):
    (tmp_path / "tflm" / "tensorflow").mkdir(parents=True)
    r = run_cli("build", "--board", "qemu-m4", "--model", str(mlperf.kws), "--runtime", "tflm",
                "--tflm-dir", str(tmp_path / "tflm"), build=tmp_path / "build")
    assert_clean_error(r, "is not a TFLite Micro tree")


def test_unknown_kernel_set(tmp_path, mlperf, tflm_tree):
    r = run_cli("build", "--board", "qemu-m4", "--model", str(mlperf.kws), "--runtime", "tflm", "--kernels", "fast",
                "--tflm-dir", str(tflm_tree), build=tmp_path)
    assert_clean_error(r, "unknown kernel set 'fast'", "cmsis-nn")


@pytest.mark.slow
@pytest.mark.qemu
def test_digits_on_tflm_is_bitexact_with_the_host(tmp_path, tflm_tree):
    # its own build tree: the shared one's later benches keep the runtime of the last build, which must stay aot
    r = run_cli("bench", "--board", "qemu-m4", "--model", "digits", "--runtime", "tflm", "--tflm-dir", str(tflm_tree),
                "--json", build=tmp_path)
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["runtime"] == "tflm" and b["status"] == "complete"
    assert b["accuracy"]["agreement"] == 1.0 and b["accuracy"]["samples"] == 360
    assert b["accuracy"]["device"] == b["accuracy"]["host_int8"]
    mem = b["memory"]
    # TFLM's own arena_used_bytes() on the device: 32-bit pointers, so below the host measurement it was sized from
    host = json.loads((tmp_path / "digits" / "qemu-m4" / "manifest.json").read_text())
    assert 0 < mem["arena_bytes"] < host["arena_bytes"] and mem["io_bytes"] == 0


@pytest.mark.slow
@pytest.mark.qemu
def test_compare_kws_tflm_and_aot(tmp_path, mlperf, tflm_tree):
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(mlperf.kws), "--compare", "tflm,aot", "--samples", "5",
                "--tflm-dir", str(tflm_tree), build=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "runtimes side by side" in r.stdout and "outputs identical (aot vs tflm)" in r.stdout
    d = tmp_path / "kws_ref_model" / "qemu-m4"
    table = json.loads((d / "bench.json").read_text())["compare"]
    assert table["runtimes"] == ["tflm", "aot"]
    assert table["outputs"]["aot_vs_tflm"] == {"samples": 5, "identical": 5, "agreement": 1.0}
    assert table["agreement_with_host"] == {"tflm": 1.0, "aot": 1.0}
    rows = {row["what"]: row["values"] for row in table["rows"]}
    # both runtimes plan the model's input and output inside their arena
    assert rows["input/output buffers outside the arena"] == {"tflm": 0, "aot": 0}
    assert rows["arena + io (like for like)"]["aot"] < rows["arena + io (like for like)"]["tflm"]
    assert rows["instructions / inference"]["aot"] < rows["instructions / inference"]["tflm"]
    for n in ("tflm", "aot"):
        assert json.loads((d / f"bench-{n}.json").read_text())["runtime"] == n
    assert "Runtimes side by side" in (d / "report.html").read_text()


def test_a_scale_of_one_is_a_valid_cpp_literal():
    """ResNet-8's input scale is exactly 1.0: `1f` is not C++ (the tflm build failed on it)."""
    from toolchain.build.tflm_sources import _tensor
    from toolchain.modelinfo import TensorInfo

    scale = _tensor(TensorInfo((1, 32, 32, 3), "int8", 1.0, -128))["scale"]
    assert float(scale) == 1.0 and ("." in scale or "e" in scale)
