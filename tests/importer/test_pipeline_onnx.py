"""A PyTorch model (models/gesture_pt, exported to ONNX by scripts/torch_models.py) through the whole pipeline on
qemu-m4: imported, int8 with the recipe's data, both runtimes, device = host, parity in report.html."""

import json

import pytest

from tests.conftest import run_cli


@pytest.mark.slow
@pytest.mark.qemu
def test_gesture_pt_on_qemu_both_runtimes(tmp_path, tflm_tree):
    r = run_cli("bench", "--board", "qemu-m4", "--model", "gesture_pt", "--compare", "tflm,aot",
                "--tflm-dir", str(tflm_tree), build=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "int8 vs float top-1 agreement 100.00% (threshold 99.00%)" in r.stdout
    d = tmp_path / "gesture_pt" / "qemu-m4"
    m = json.loads((d / "manifest.json").read_text())
    assert m["parity"]["onnx_vs_converted_max_abs_diff"] < 1e-4 and m["parity"]["passed"]
    assert [layer["op"] for layer in m["parity"]["layers"]] == ["RESHAPE", "CONV_2D", "CONV_2D", "RESHAPE", "MEAN",
                                                                "FULLY_CONNECTED"]
    assert min(layer["sqnr_db"] for layer in m["parity"]["layers"]) > 20
    assert m["input_layout"] == {"user_shape": [1, 6, 100], "device_shape": [1, 100, 6], "perm": [0, 2, 1]}
    assert "TRANSPOSE" not in m["ops"]
    rows = {a["name"]: a for a in m["artifacts"]}
    assert abs(rows["int8"]["accuracy"] - rows["float"]["accuracy"]) <= 0.01
    table = json.loads((d / "bench.json").read_text())["compare"]
    assert table["outputs"]["aot_vs_tflm"]["identical"] == table["outputs"]["aot_vs_tflm"]["samples"] == 20
    assert table["agreement_with_host"] == {"tflm": 1.0, "aot": 1.0}
    assert "Parity of the imported ONNX model" in (d / "report.html").read_text()


@pytest.mark.slow
@pytest.mark.qemu
def test_bare_onnx_with_calibration_then_bench(tmp_path, tflm_tree):
    """No recipe: optimize with --calibration once; bench later needs none, picks aot (runtime auto), and the
    device matches the host int8 outputs."""
    import numpy as np
    import onnx

    from tests.importer.onnx_models import conv_net

    path = tmp_path / "net.onnx"
    onnx.save(conv_net(batch=1), str(path))
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).normal(size=(64, 3, 8, 8)).astype(np.float32))
    r = run_cli("optimize", "--model", str(path), "--calibration", str(tmp_path / "cal.npy"), build=tmp_path / "b")
    assert r.returncode == 0, r.stderr
    assert "parity on 64 calibration inputs" in r.stdout and "int8 vs float top-1 agreement" in r.stdout
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(path), "--tflm-dir", str(tflm_tree),
                build=tmp_path / "b")
    assert r.returncode == 0, r.stderr
    assert "runtime auto: aot (the AOT compiler covers every op)" in r.stderr
    d = tmp_path / "b" / "net" / "qemu-m4"
    bench = json.loads((d / "bench.json").read_text())
    assert bench["runtime"] == "aot" and bench["accuracy"]["agreement"] == 1.0
    assert "Parity of the imported ONNX model" in (d / "report.html").read_text()
