"""The example of docs/validate.md: digits' int8 model quantized twice from the
same Keras model, once with a sound calibration set (held-out images) and once
with a deliberately bad one (each image a single bright pixel: the input's
range is right, every later activation's range far too narrow), beside the
float model both came from, in build/badcal/. Then validate each:

    .venv/bin/python scripts/bad_calibration.py
    toolchain validate --board qemu-m4 --model build/badcal/digits_goodcal.tflite --float build/badcal/digits_float.tflite
    toolchain validate --board qemu-m4 --model build/badcal/digits_badcal.tflite --float build/badcal/digits_float.tflite
"""

import numpy as np

from toolchain import paths, pipeline
from toolchain.optimize.quantize import to_tflite
from toolchain.train.tf import keras


def main() -> None:
    pipeline.export("digits", "host", seed=0)
    host = paths.artifact_dir("digits")
    keras_file = next(host / f for f in ("distilled.keras", "pruned.keras", "float.keras") if (host / f).exists())
    model = keras.models.load_model(keras_file, compile=False)
    x = np.load(host / "test_set.npz")["x"].astype(np.float32)
    rng = np.random.default_rng(0)
    one_pixel = np.zeros_like(x)
    flat = one_pixel.reshape(len(x), -1)
    flat[np.arange(len(x)), rng.integers(0, flat.shape[1], len(x))] = x.max()
    out = paths.build_root() / "badcal"
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("digits_float", None), ("digits_goodcal", x), ("digits_badcal", one_pixel)):
        (out / f"{name}.tflite").write_bytes(to_tflite(model, "float" if data is None else "int8",
                                                       x if data is None else data))
        print(f"wrote {out / name}.tflite")


if __name__ == "__main__":
    main()
