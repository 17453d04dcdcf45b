"""The MLPerf Tiny anomaly-detection autoencoder (`ad01_int8.tflite`) requantized 16x8, from a float source
made of its own weights: the only AD model here is the int8 one, so its int8 weights and int32 biases are
dequantized (q - zero point) * scale into a float Keras model of the same dense layers and ReLUs. That float
model is the int8 model's arithmetic without the activation rounding; it is not the float model MLPerf
trained (that one is not shipped here). It is quantized again by the toolchain's own quantizer
(`toolchain/optimize/quantize.py`), int8 and int16x8, both calibrated on the same seeded inputs.

    python scripts/ad_16x8.py build/ad
    toolchain bench --board qemu-m4 --model build/ad/ad01_int16x8.tflite --compare tflm,aot --samples 20 --tflm-dir ../shared/third_party/tflite-micro

Data: the ToyADMOS log-mel frames the model was trained on are not here. Calibration and validation inputs are
seeded uniform samples over the int8 model's input range (its calibrated float range, [-84.9, 14.9]), seeds 1
(300 calibration samples) and 2 (200 validation samples); the bench streams its own seeded random inputs.
Error metric: each quantized model's dequantized output against the float source's on the validation inputs,
as SQNR (dB) and as the relative error of the anomaly score (mean squared reconstruction error per sample,
the score MLPerf's AD benchmark ranks by).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SOURCE = REPO.parent / "shared" / "models" / "ad01_int8.tflite"
CALIBRATION_SEED, VALIDATION_SEED = 1, 2
CALIBRATION_SAMPLES, VALIDATION_SAMPLES = 300, 200
ACTIVATIONS = {0: None, 1: "relu"}  # fused_activation_function codes the AD model uses


def _dequantized(t) -> np.ndarray:
    axis_shape = [-1] + [1] * (t.data.ndim - 1)  # per-channel scales run along the output axis
    return ((t.data.astype(np.float64) - t.zero_point.reshape(axis_shape)) * t.scale.reshape(axis_shape)).astype(np.float32)


def float_source(path: Path = SOURCE):
    """A float Keras model with the int8 model's dense layers, weights and biases dequantized."""
    from toolchain.aot.reader import read_tflite
    from toolchain.train.tf import keras

    g = read_tflite(path)
    x = keras.layers.Input(g.tensors[g.inputs[0]].shape[1:])
    y = x
    weights = []
    for op in g.ops:
        if op.name != "FULLY_CONNECTED" or op.options["fused_activation_function"] not in ACTIVATIONS:
            raise SystemExit(f"{path}: layer {op.index} is {op.name}; this script rebuilds dense layers only")
        w, b = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]]
        layer = keras.layers.Dense(w.shape[0], activation=ACTIVATIONS[op.options["fused_activation_function"]])
        y = layer(y)
        weights.append((layer, _dequantized(w).T, _dequantized(b)))
    model = keras.Model(x, y)
    for layer, kernel, bias in weights:
        layer.set_weights([kernel, bias])
    return model


def input_range(path: Path = SOURCE) -> tuple[float, float]:
    from toolchain.evaluate import io_quant

    qin, _ = io_quant(Path(path).read_bytes())
    return float(qin.dequantize(np.array(-128))), float(qin.dequantize(np.array(127)))


def samples(n: int, seed: int, path: Path = SOURCE) -> np.ndarray:
    lo, hi = input_range(path)
    return np.random.default_rng(seed).uniform(lo, hi, (n, 640)).astype(np.float32)


def errors(tflite: Path, x: np.ndarray, reference: np.ndarray) -> dict:
    """SQNR of the TFLM host interpreter's dequantized outputs against `reference`, and the anomaly score's
    relative error."""
    from toolchain.evaluate import io_quant
    from toolchain.evaluate.reference import tflm_outputs

    qin, qout = io_quant(Path(tflite).read_bytes())
    y = qout.dequantize(tflm_outputs(tflite, qin.quantize(x))).reshape(reference.shape)
    noise = float(np.mean((y - reference) ** 2))
    score, score_ref = np.mean((x - y) ** 2, axis=1), np.mean((x - reference) ** 2, axis=1)
    return {"sqnr_db": round(10 * np.log10(float(np.mean(reference ** 2)) / noise), 2),
            "score_rel_error_median": float(np.median(np.abs(score - score_ref) / score_ref)),
            "score_rel_error_max": float(np.max(np.abs(score - score_ref) / score_ref))}


def main() -> None:
    from toolchain.optimize.quantize import to_tflite

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder for ad01_float_int8.tflite and ad01_int16x8.tflite")
    args = ap.parse_args()
    if not SOURCE.is_file():
        raise SystemExit(f"{SOURCE} is missing: the shared models folder holds the MLPerf AD model")
    args.out.mkdir(parents=True, exist_ok=True)
    model = float_source()
    x_calib, x_val = samples(CALIBRATION_SAMPLES, CALIBRATION_SEED), samples(VALIDATION_SAMPLES, VALIDATION_SEED)
    reference = model.predict(x_val, verbose=0)
    report = {"original int8 (ad01_int8.tflite)": errors(SOURCE, x_val, reference)}
    for mode, name in (("int8", "ad01_float_int8.tflite"), ("int16x8", "ad01_int16x8.tflite")):
        (args.out / name).write_bytes(to_tflite(model, mode, x_calib))
        report[f"{mode} from the float source ({name})"] = errors(args.out / name, x_val, reference)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
