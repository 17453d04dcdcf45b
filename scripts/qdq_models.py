"""Quantize the three PyTorch models (models/<name>_pt/net.onnx) with ONNX Runtime's `quantize_static` in QDQ format,
import each with its own scales (toolchain/importer/qdq.py) and measure it against ONNX Runtime's execution of the
QDQ model: the max difference in output LSBs and top-1 agreement, on the calibration inputs (the first 200 of the
recipe's training split) and on the held-out split, plus both accuracies. Prints docs/byom.md's table rows.

    PYTHONPATH=$PWD .venv/bin/python scripts/qdq_models.py [digits_pt gesture_pt keywords_pt] [--out DIR]

With --out, the QDQ files and the calibration/held-out inputs (.npy, the model's own layout) are written to DIR
for `toolchain optimize --model DIR/<name>_<variant>.onnx --calibration DIR/<name>_calibration.npy`."""

import argparse
import tempfile
from pathlib import Path

import numpy as np

from toolchain import recipes
from toolchain.evaluate.reference import tflm_outputs
from toolchain.importer import OnnxError, device_perm, qdq_check, read, to_device_layout, to_int8_graph, user_layout
from toolchain.importer.qdq_tflite import write
from toolchain.recipes import data as datasets

CALIBRATION = 200
# variant -> quantize_static keyword arguments (besides the QDQ format)
VARIANTS = {
    "per-tensor": dict(per_channel=False),
    "per-channel": dict(per_channel=True),
    "per-channel, symmetric activations": dict(per_channel=True, extra_options={"ActivationSymmetric": True}),
    "per-channel, uint8 activations": dict(per_channel=True, activation_type="QUInt8"),
}


def user_inputs(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, Path]:
    """(calibration inputs, held-out inputs, held-out labels) in the ONNX model's layout, and its file."""
    recipe = recipes.load(name)
    model = read(recipe.model_file)
    d = datasets.load(recipe.data["loader"], 0, recipe.data["test_fraction"], base_dir=recipe.path,
                      **recipe.data["args"])
    perm = device_perm(model)
    as_user = lambda x: user_layout(to_device_layout(x, model.input_shape, perm), perm)  # noqa: E731
    return as_user(d.x_train[:CALIBRATION]), as_user(d.x_test), np.asarray(d.y_test), recipe.model_file


def quantize(src: Path, dst: Path, x: np.ndarray, options: dict) -> None:
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    name = onnx.load(str(src)).graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.samples = iter([{name: s[np.newaxis]} for s in x])

        def get_next(self):
            return next(self.samples, None)

    options = dict(options)
    if "activation_type" in options:
        options["activation_type"] = getattr(QuantType, options["activation_type"])
    quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, **options)


def measure(path: Path, x_cal: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    model = read(path)
    g = to_int8_graph(model)
    with tempfile.TemporaryDirectory() as tmp:
        tflite = Path(tmp) / "int8.tflite"
        tflite.write_bytes(write(g))
        out = {}
        for split, x in (("calibration", x_cal), ("held-out", x_test)):
            x_device = to_device_layout(x, model.input_shape, g.input_perm)
            ref = qdq_check.onnxruntime_int8(model, g, x)
            ours = tflm_outputs(tflite, qdq_check.quantize_input(x_device, g)).astype(np.int64)
            out[split] = {**qdq_check.compare(ref, ours, split), "ort_top1": ref.argmax(1), "our_top1": ours.argmax(1)}
    out["ops"] = [op.op for op in g.ops]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="*", default=["digits_pt", "gesture_pt", "keywords_pt"])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    print("| model | weights, activations | calibration: max LSB (outputs off by 1) | held-out: max LSB (outputs "
          "off by 1, by 2) | top-1 agreement, held-out | accuracy ONNX Runtime QDQ / ours |")
    print("|---|---|---|---|---:|---:|")
    for name in args.models:
        x_cal, x_test, y_test, src = user_inputs(name)
        np.save(out / f"{name}_calibration.npy", x_cal)
        np.save(out / f"{name}_heldout.npy", x_test)
        for variant, options in VARIANTS.items():
            dst = out / f"{name}_{variant.replace(', ', '_').replace(' ', '-')}.onnx"
            quantize(src, dst, x_cal, options)
            try:
                r = measure(dst, x_cal, x_test, y_test)
            except OnnxError as e:
                print(f"| {name} | {variant} | refused: {e.message} | | | |")
                continue
            c, h = r["calibration"], r["held-out"]
            counts = lambda p: ", ".join(f"{p['qdq_lsb_counts'].get(k, 0)}" for k in ("1", "2"))  # noqa: E731
            print(f"| {name} | {variant} | {c['qdq_max_lsb']} ({c['qdq_lsb_counts'].get('1', 0)} of "
                  f"{c['qdq_outputs']}) | {h['qdq_max_lsb']} ({counts(h)} of {h['qdq_outputs']}) | "
                  f"{h['qdq_top1_agreement']:.2%} | {np.mean(h['ort_top1'] == y_test):.2%} / "
                  f"{np.mean(h['our_top1'] == y_test):.2%} |", flush=True)
    print(f"files in {out}")


if __name__ == "__main__":
    main()
