"""Import openWakeWord 0.4.0's wake-word heads "alexa" and "hey marvin" (public ONNX models from outside the
project, fetched by ./setup.sh: toolchain/zoo/openwakeword.py) with honest calibration data, and measure their
parity (docs/byom.md).

1. Speech synthesised offline (espeak-ng) -> openWakeWord's own front-end (its melspectrogram and embedding
   ONNX models) -> (16, 96) embeddings (toolchain/zoo/embeddings.py): a calibration set said by the recipe
   voices, and an evaluation set said by the validation voices, each 1/3 the head's word, 1/3 other words,
   1/3 background alone.
2. `toolchain export --model <cache>/<head>.onnx --calibration <calibration.npy>`: the import.
3. On the evaluation set: ONNX Runtime float, the converted float Keras model and the int8 model (TFLM host
   interpreter) side by side: max |diff| of the probabilities, detections at 0.5, their agreement.

    python scripts/outside_model.py [--word alexa|"hey marvin"] [--per-class 150] [--evaluation-per-class 100]

Then `toolchain bench --board qemu-m4 --model <cache>/<head>.onnx --compare tflm,aot` benches it.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from toolchain import importer, paths, pipeline
from toolchain.zoo import embeddings as zoo_speech
from toolchain.zoo import openwakeword as zoo
from toolchain.evaluate import io_quant
from toolchain.evaluate.reference import tflm_outputs
from toolchain.importer.parity import onnxruntime_outputs

HEADS = {"alexa": "alexa_v0.1.onnx", "hey marvin": "hey_marvin_v0.1.onnx"}  # what each head listens for


def data(out: Path, word: str, per_class: int, evaluation_per_class: int) -> dict[str, Path]:
    """The calibration and evaluation sets as .npy files in `out` (made once per size; reused while they exist)."""
    c, e, stem = per_class, evaluation_per_class, word.replace(" ", "_")
    files = {"calibration": out / f"{stem}_calibration_{c}.npy", "evaluation": out / f"{stem}_evaluation_{e}.npy",
             "labels": out / f"{stem}_evaluation_{e}_labels.npy"}
    if all(f.is_file() for f in files.values()):
        return files
    out.mkdir(parents=True, exist_ok=True)
    for name, seed, n, voices in (("calibration", 0, per_class, zoo_speech.CALIBRATION_VOICES),
                                  ("evaluation", 1, evaluation_per_class, zoo_speech.EVALUATION_VOICES)):
        t = time.perf_counter()
        clips, labels = zoo_speech.labelled_clips(seed, word, n, voices)
        np.save(files[name], zoo_speech.embeddings(zoo_speech.mel_windows(clips)))
        if name == "evaluation":
            np.save(files["labels"], labels)
        print(f"{name}: {len(clips)} clips -> embeddings in {time.perf_counter() - t:.0f} s")
    return files


def parity(head: Path, x: np.ndarray, y: np.ndarray) -> dict:
    """Float and int8 probabilities of the head on `x`, against each other and against the labels."""
    from toolchain.train.tf import keras

    host = paths.artifact_dir(head.stem)
    m = json.loads((host / "manifest.json").read_text())
    perm = m["input_layout"]["perm"]
    onnx_p = onnxruntime_outputs(importer.read(head), x)[:, 0]  # its batch is fixed to 1
    x_device = np.ascontiguousarray(np.transpose(x, perm))
    keras_p = keras.models.load_model(host / "float.keras", compile=False).predict(x_device, verbose=0).reshape(-1)
    int8 = host / "int8.tflite"
    qin, qout = io_quant(int8.read_bytes())
    int8_p = qout.dequantize(tflm_outputs(int8, qin.quantize(x_device))).reshape(-1)
    decide = {k: p > 0.5 for k, p in (("onnx", onnx_p), ("converted", keras_p), ("int8", int8_p))}
    return {"samples": len(x),
            "onnx_vs_converted_max_abs_diff": float(np.abs(onnx_p - keras_p).max()),
            "int8_vs_onnx_max_abs_diff": float(np.abs(onnx_p - int8_p).max()),
            "int8_vs_onnx_mean_abs_diff": float(np.abs(onnx_p - int8_p).mean()),
            "int8_vs_onnx_decision_agreement": float(np.mean(decide["onnx"] == decide["int8"])),
            "accuracy": {k: float(np.mean(d == (y == 1))) for k, d in decide.items()},
            "detected": {k: f"{int(np.sum(d & (y == 1)))}/{int(np.sum(y == 1))}" for k, d in decide.items()},
            "false_alarms": {k: f"{int(np.sum(d & (y == 0)))}/{int(np.sum(y == 0))}" for k, d in decide.items()},
            "output_quantization": qout.to_dict()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--word", choices=sorted(HEADS), default="alexa", help="which head: the word it detects")
    ap.add_argument("--per-class", type=int, default=150, help="calibration clips per class (3 classes)")
    ap.add_argument("--evaluation-per-class", type=int, default=100, help="evaluation clips per class")
    args = ap.parse_args()
    head = zoo.model(HEADS[args.word])
    files = data(paths.build_root() / "zoo", args.word, args.per_class, args.evaluation_per_class)
    pipeline.export(str(head), calibration=files["calibration"])
    result = parity(head, np.load(files["evaluation"]), np.load(files["labels"]))
    out = paths.artifact_dir(head.stem) / "outside_parity.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
