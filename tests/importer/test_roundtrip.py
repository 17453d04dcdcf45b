"""The digits recipe round trip: Keras -> ONNX (tf2onnx, the export step's model.onnx) -> import -> int8,
within 0.5 point of the Keras model's own int8."""

import shutil
from pathlib import Path

import pytest


@pytest.mark.slow
def test_digits_keras_onnx_import_int8(digits_manifest, tmp_path):
    from toolchain.pipeline import export

    host = Path(digits_manifest["artifacts"][0]["path"]).parent
    folder = tmp_path / "digits_onnx"
    folder.mkdir()
    shutil.copy(host / "model.onnx", folder / "net.onnx")
    (folder / "recipe.toml").write_text('name = "digits_onnx"\n[model]\nfile = "net.onnx"\n'
                                        '[data]\nloader = "digits"\ntest_fraction = 0.2\n')
    m = export(str(folder), "host", seed=0)
    rows = {r["name"]: r for r in m["artifacts"]}
    keras_int8 = {r["name"]: r for r in digits_manifest["artifacts"]}["int8"]["accuracy"]
    assert abs(rows["int8"]["accuracy"] - keras_int8) <= 0.005
    assert m["parity"]["onnx_vs_converted_max_abs_diff"] < 1e-4
    assert m["parity"]["passed"] and "TRANSPOSE" not in m["ops"]
