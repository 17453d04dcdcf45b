"""Evaluate every artifact of a model on the same held-out split and compare
the int8 runtimes with each other (TFLM reference kernels vs LiteRT)."""

from pathlib import Path
from typing import NamedTuple

import numpy as np

from toolchain.console import console
from toolchain.recipes.data import Dataset
from toolchain.evaluate import io_quant, keras_outputs, litert_outputs, onnx_outputs, score, tflm_outputs

KERAS = ("float", "pruned", "distilled")


class Rows(NamedTuple):
    """artifact_rows' table (one row per artifact) and each artifact's outputs on the held-out split."""

    rows: list[dict]
    outputs: dict[str, np.ndarray]


class Evaluated(NamedTuple):
    """evaluate_all's table, and TFLM's raw int8 outputs of the deployed model (None without one)."""

    rows: list[dict]
    tflm_outputs: np.ndarray | None


def _row(name: str, path: Path, task: str, outputs: np.ndarray, y: np.ndarray, **extra) -> dict:
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) if Path(path).is_dir() \
        else Path(path).stat().st_size
    return {"name": name, "path": str(path), "size_bytes": size, **score(task, outputs, y), **extra}


def artifact_rows(task: str, data: Dataset, files: dict[str, Path], advance=lambda n=1: None) -> Rows:
    """One row per Keras or .tflite artifact (size, accuracy or MAE on the held-out split), and their outputs."""
    from toolchain.optimize.prune import sparsity
    from toolchain.train.tf import keras

    x, y = data.x_test, data.y_test
    rows, outputs = [], {}
    for name, path in files.items():
        if name in KERAS:
            model = keras.models.load_model(path, compile=False)
            outputs[name] = keras_outputs(model, x)
            rows.append(_row(name, path, task, outputs[name], y, sparsity=round(sparsity(model), 4)))
        else:
            tfl = path.read_bytes()
            _, outputs[name] = litert_outputs(tfl, x)
            qin, qout = io_quant(tfl)
            rows.append(_row(name, path, task, outputs[name], y, input_quant=qin.to_dict(),
                             output_quant=qout.to_dict()))
        advance()
    return Rows(rows, outputs)


def evaluate_all(task: str, d: Path, data: Dataset, made: dict[str, Path], deploy: Path | None,
                 tflm_arena: int | None) -> Evaluated:
    """One row per artifact; also returns TFLM's raw outputs for the deploy model."""
    x, y = data.x_test, data.y_test
    files = {"float": d / "float.keras", **made}
    with console.progress("evaluating every artifact", total=len(files) + 2) as advance:
        rows, outputs = artifact_rows(task, data, files, advance)
        keras_float = outputs["float"]
        onnx_out = onnx_outputs(d / "model.onnx", x)
        diff = float(np.max(np.abs(onnx_out - keras_float)))
        rows.append(_row("onnx", d / "model.onnx", task, onnx_out, y, max_abs_diff_vs_keras=diff))
        advance()
        tflm_raw = None
        if deploy is not None:
            tfl = deploy.read_bytes()
            qin, qout = io_quant(tfl)
            tflm_raw = tflm_outputs(tfl, qin.quantize(x), tflm_arena)
            vs = {f"vs_litert{suffix}": agreement(tflm_raw, litert_outputs(tfl, x, xnnpack)[0])
                  for suffix, xnnpack in (("", False), ("_xnnpack", True))}
            row = _row("tflm", d / "tflm", task, qout.dequantize(tflm_raw), y, **vs)
            rows.append({**row, "size_bytes": len(tfl)})  # the model array it embeds, as for imported models
        advance()
    return Evaluated(rows, tflm_raw)


def agreement(tflm_raw: np.ndarray, litert_raw: np.ndarray) -> dict:
    """How TFLM's reference kernels and LiteRT differ on the same inputs."""
    delta = np.abs(tflm_raw.astype(np.int32) - litert_raw.astype(np.int32))
    one_output = tflm_raw.shape[1] == 1  # regression: no class to agree on
    return {
        "top1_agree": None if one_output else int(np.sum(tflm_raw.argmax(1) == litert_raw.argmax(1))),
        "samples": int(len(tflm_raw)),
        "values_differ": int(np.count_nonzero(delta)),
        "max_lsb_diff": int(delta.max()) if delta.size else 0,
    }
