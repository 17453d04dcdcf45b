"""The digits recipe round trip: Keras -> ONNX (tf2onnx, the export step's model.onnx) -> import -> int8,
within 0.5 point of the int8 the project's quantizer makes from the same Keras float model."""

import shutil
from pathlib import Path

import numpy as np
import pytest


@pytest.mark.slow
def test_digits_keras_onnx_import_int8(digits_manifest, tmp_path):
    from toolchain.evaluate import litert_outputs
    from toolchain.optimize.quantize import to_tflite
    from toolchain.pipeline import export
    from toolchain.recipes.data import load
    from toolchain.train.tf import keras

    host = Path(digits_manifest["artifacts"][0]["path"]).parent
    folder = tmp_path / "digits_onnx"
    folder.mkdir()
    shutil.copy(host / "model.onnx", folder / "net.onnx")
    (folder / "recipe.toml").write_text('name = "digits_onnx"\n[model]\nfile = "net.onnx"\n'
                                        '[data]\nloader = "digits"\ntest_fraction = 0.2\n')
    m = export(str(folder), "host", seed=0)
    imported_int8 = {r["name"]: r for r in m["artifacts"]}["int8"]["accuracy"]
    # the recipe's own int8 is of its pruned and distilled student: quantize its float model instead
    data = load("digits", 0, 0.2)
    keras_int8 = to_tflite(keras.models.load_model(host / "float.keras", compile=False), "int8", data.x_train)
    keras_accuracy = float(np.mean(litert_outputs(keras_int8, data.x_test)[1].argmax(1) == data.y_test))
    assert abs(imported_int8 - keras_accuracy) <= 0.005
    assert m["parity"]["onnx_vs_converted_max_abs_diff"] < 1e-4
    assert m["parity"]["passed"] and "TRANSPOSE" not in m["ops"]
