"""recipe -> float model -> optimized models -> exports, with caching.

Each step records a key (hash of everything it depends on) in the manifest;
a step whose key and artifacts are unchanged is skipped, so later commands
(`build`, `bench`) can call `prepare()` and only pay for what is missing.
"""

import functools
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from toolchain import boards, harness_protocol, importer, manifest, modelinfo, optimize, recipes
from toolchain.aot import compile_tflite
from toolchain.audio.config import AUDIO_LOADERS
from toolchain.console import console
from toolchain.evaluate import io_quant
from toolchain.evaluate.compare import evaluate_all
from toolchain.evaluate.reference import tflm_outputs
from toolchain.export import field_stats
from toolchain.export import onnx as onnx_export
from toolchain.export import tflm
from toolchain.export.errors import ExportError
from toolchain.importer import qdq_check, qdq_tflite
from toolchain.modelinfo import load_tflite, summarize
from toolchain.optimize.quantize import to_tflite
from toolchain.paths import artifact_dir
from toolchain.recipes import Recipe, data as datasets
from toolchain.recipes.data.dataset import Dataset, Lazy, raw_test_split
from toolchain.train import summary as train_summary
from toolchain.train import train

# a bare ONNX model's calibration inputs (device layout) and the host int8 model's outputs on them, kept at import
CALIBRATION_INPUTS, CALIBRATION_OUTPUTS = "calibration_inputs.npy", "calibration_int8_outputs.npy"
DEPLOY_ORDER = ("int8", "qat")  # the int8 model deployed to devices: PTQ first, else QAT


@dataclass
class Prepared:
    """What device steps need from the model side."""

    name: str
    dir: Path
    tflite: Path
    manifest: manifest.Manifest
    test_inputs: np.ndarray | None = None  # quantized like the model input
    test_labels: np.ndarray | None = None
    host_int8_outputs: np.ndarray | None = field(default=None, repr=False)  # TFLM host interpreter


class Trained(NamedTuple):
    """What train_step made: the model's host folder (float.keras in it), its data, and the step's cache key."""

    dir: Path
    data: Dataset
    key: str


class Optimized(NamedTuple):
    """What optimize_step made: Trained's folder and data, the step's cache key, and variant -> model file."""

    dir: Path
    data: Dataset
    key: str
    models: dict[str, Path]


# the code that makes models: a change to it invalidates what it made before
PIPELINE_CODE = ("pipeline.py", "modelinfo.py", "train", "importer", "evaluate", "recipes", "optimize", "export")


@functools.cache
def code_fingerprint() -> str:
    root = Path(__file__).parent
    files = sorted(f for name in PIPELINE_CODE for f in ([root / name] if name.endswith(".py")
                                                         else (root / name).rglob("*.py")))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _fresh(m: dict, step: str, key: str, paths) -> bool:
    return m.get("steps", {}).get(step) == key and all(Path(p).exists() for p in paths)


def _mark(d: Path, step: str, key: str) -> dict:
    m = manifest.read(d)
    return manifest.update(d, steps={**m.get("steps", {}), step: key})


def is_tflite_ref(ref: str) -> bool:
    return ref.endswith(".tflite")


def is_file_ref(ref: str) -> bool:
    """A model file deployed without a recipe: an int8 .tflite, or an ONNX model with calibration data."""
    return is_tflite_ref(ref) or importer.is_onnx_ref(ref)


def model_name(ref: str) -> str:
    """The one name of a model, which names its build folder `build/<name>/`: a .tflite or .onnx file's stem, else
    the recipe's `name` (never its folder's: a copied recipe folder keeps or changes its name in recipe.toml)."""
    if is_file_ref(ref):
        return Path(ref).stem
    return recipes.load(ref).name


def _data_files(recipe: Recipe) -> dict[str, str]:
    """Hashes of the data files a recipe's loader reads (a user's CSV log): a changed log retrains."""
    files = [recipe.path / v for v in recipe.data["args"].values() if isinstance(v, str)]
    return {f.name: manifest.file_hash(f) for f in files if f.is_file()}


def train_step(recipe: Recipe, seed: int, force: bool = False) -> Trained:
    """Train (or reuse) the float model in build/<model>/host."""
    if recipe.model_file:
        return import_step(recipe, seed, force)
    d = artifact_dir(recipe.name)
    owner = manifest.read(d).get("recipe")
    if owner and Path(owner) != recipe.path:
        raise recipes.RecipeError(
            f"two recipes are named '{recipe.name}': {d} holds the models of {owner}, not of {recipe.path}",
            f"give one a new `name` in its recipe.toml, or build elsewhere (TOOLCHAIN_BUILD_DIR=...)")
    data = Lazy(lambda: datasets.load(recipe.data["loader"], seed, recipe.data["test_fraction"], base_dir=recipe.path,
                                      **recipe.data["args"]))
    key = _key(recipe.fingerprint, seed, code_fingerprint(), _data_files(recipe))
    out = d / "float.keras"
    if not force and _fresh(manifest.read(d), "train", key, [out]):
        console.step(f"train: {out} is up to date")
    else:
        console.step(train_summary(data))
        history = train(recipe, data, out, seed)
        np.savez(d / "test_set.npz", x=data.x_test, y=data.y_test)
        data_hash = hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in
                                            (data.x_train, data.y_train, data.x_test, data.y_test))).hexdigest()[:16]
        manifest.update(d, model=recipe.name, task=recipe.task, labels=data.labels, recipe=str(recipe.path),
                        train_history=history, data_hash=data_hash)
        _mark(d, "train", key)
    return Trained(d, data, key)


def import_step(recipe: Recipe, seed: int, force: bool = False) -> Trained:
    """The float model of a recipe that names an ONNX file: imported, not trained; the recipe's data (in either
    layout) calibrate and evaluate it in the device's layout."""
    d = artifact_dir(recipe.name)
    onnx_model = importer.read(recipe.model_file)
    perm = importer.device_perm(onnx_model)
    data = Lazy(lambda: importer.device_dataset(
        datasets.load(recipe.data["loader"], seed, recipe.data["test_fraction"], base_dir=recipe.path,
                      **recipe.data["args"]), onnx_model.input_shape, perm))
    key = _key(recipe.fingerprint, seed, code_fingerprint(), _data_files(recipe))
    out = d / "float.keras"
    if not force and _fresh(manifest.read(d), "train", key, [out, d / "onnx_outputs.npy"]):
        console.step(f"import: {out} is up to date")
        return Trained(d, data, key)
    with console.status(f"importing {recipe.model_file.name}"):
        fields, _ = importer.convert(onnx_model, d, data.x_test, "held-out")
    np.savez(d / "test_set.npz", x=data.x_test, y=data.y_test)
    manifest.update(d, model=recipe.name, task=recipe.task, labels=data.labels, recipe=str(recipe.path),
                    train_history={}, **fields)
    importer.report(fields["parity"])
    _mark(d, "train", key)
    return Trained(d, data, key)


def optimize_step(recipe: Recipe, seed: int, plan=None, force: bool = False, last_plan: bool = False) -> Optimized:
    """Run (or reuse) the optimization plan. Without `plan`: the last plan run for
    this model when `last_plan` (device steps deploy what the user optimized),
    else the recipe's default plan."""
    d, data, train_key = train_step(recipe, seed)
    m = manifest.read(d)
    if plan is None and last_plan and m.get("plan"):
        plan = optimize.Plan(**m["plan"])
        console.step(f"optimize: deploying the last plan ({plan.describe()})")
    plan = plan or optimize.Plan.of(recipe)
    key = _key(train_key, plan.to_dict())
    made = {k: Path(v) for k, v in m.get("optimized", {}).items()}
    if not force and made and _fresh(m, "optimize", key, made.values()):
        console.step("optimize: optimized models are up to date")
        return Optimized(d, data, key, made)
    # New models are made aside and moved in at the end: an interrupted run keeps the old ones.
    tmp = d / ".optimizing"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        fresh = optimize.run(d / "float.keras", recipe, data, plan, tmp, seed)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in made.values():
        if old.name not in {p.name for p in fresh.values()}:
            old.unlink(missing_ok=True)
    made = {k: p.replace(d / p.name) for k, p in fresh.items()}
    tmp.rmdir()
    # what was evaluated and exported belongs to the old models
    manifest.update(d, plan=plan.to_dict(), optimized={k: str(v) for k, v in made.items()}, artifacts=[],
                    deploy=None, lineage={}, steps={k: v for k, v in m.get("steps", {}).items() if k != "export"})
    _mark(d, "optimize", key)
    return Optimized(d, data, key, made)


def export_step(recipe: Recipe, seed: int, plan=None, force: bool = False,
                last_plan: bool = False) -> manifest.Manifest:
    """Export ONNX and TFLM sources, evaluate every artifact, write the manifest."""
    d, data, opt_key, made = optimize_step(recipe, seed, plan, force, last_plan)
    deploy = next((made[k] for k in DEPLOY_ORDER if k in made), None)
    key = _key(opt_key, {k: manifest.file_hash(p) for k, p in made.items()})
    m = manifest.read(d)
    outputs = [d / "model.onnx"] + ([d / "tflm" / "model_data.cc", d / "tflm_outputs.npy"] if deploy else [])
    if not force and _fresh(m, "export", key, outputs):
        console.step("export: exports are up to date")
        return _with_profile(d, data, deploy, m)
    from toolchain.train.tf import keras  # TensorFlow takes seconds to import: only when there is work

    with console.status("exporting ONNX"):
        onnx_export.to_onnx(keras.models.load_model(d / "float.keras", compile=False), d / "model.onnx")
    exported = {}
    if deploy:
        with console.status("measuring the TFLM arena"):
            exported = tflm.write_sources(deploy, d / "tflm")
    evaluated = evaluate_all(recipe.task, d, data, made, deploy, exported.get("arena_measured"))
    if evaluated.tflm_outputs is not None:
        np.save(d / "tflm_outputs.npy", evaluated.tflm_outputs)
        if recipe.model_file:
            _, qout = io_quant(Path(deploy).read_bytes())
            parity = {**m["parity"], **importer.int8_agreement(np.load(d / "onnx_outputs.npy"),
                                                                 qout.dequantize(evaluated.tflm_outputs),
                                                                 recipe.model["min_agreement"]),
                      "layers": _layer_sqnr(d / "float.keras", deploy, data.x_train, data.x_test)}
            manifest.update(d, parity=parity)
            importer.report(parity)
    m = manifest.update(
        d, model=recipe.name, board="host", deploy=str(deploy) if deploy else None,
        ops=exported.get("ops", []), arena_bytes=exported.get("arena_bytes"),
        arena_measured_bytes=exported.get("arena_measured"),
        artifacts=evaluated.rows, lineage=_lineage(recipe, seed, d, made), tflm_sources=exported.get("files", []),
    )
    _mark(d, "export", key)
    return _with_profile(d, data, deploy, manifest.read(d))


def _with_profile(d: Path, data, deploy: Path | None, m: manifest.Manifest, split: str = "train",
                  outputs: Path | None = None) -> manifest.Manifest:
    """The manifest with `monitor_profile`: the field statistics of the training split (`data.x_train`; for a bare
    ONNX model its calibration inputs, `split` "calibration") through the deployed int8 model (TFLM's host
    interpreter), which `toolchain monitor` compares a device against. `outputs`: that interpreter's outputs on
    those inputs, already kept (then not run again)."""
    if not deploy:
        return m
    key = _key(manifest.file_hash(deploy), field_stats.VERSION, split)
    if m.get("monitor_profile", {}).get("key") == key:
        return m
    with console.status("computing the reference profile for field monitoring"):
        info = modelinfo.read(deploy)
        inp, out = info.inputs[0], info.outputs[0]
        x = io_quant(Path(deploy).read_bytes())[0].quantize(data.x_train)
        y = np.load(outputs) if outputs else tflm_outputs(Path(deploy), x, m.get("arena_measured_bytes"))
        profile = field_stats.reference_profile(x, y, input_shape=inp.shape, scale=out.scale,
                                                zero_point=out.zero_point, output_dtype=out.dtype,
                                                output_count=out.count, split=split)
    return manifest.update(d, monitor_profile={**profile, "key": key})


def _lineage(recipe: Recipe, seed: int, d: Path, made: dict) -> dict:
    files = {"float.keras": d / "float.keras", **{p.name: p for p in made.values()}}
    return {
        "recipe": str(recipe.path), "recipe_hash": recipe.fingerprint, "seed": seed, "code": code_fingerprint(),
        "config": {"data": recipe.data, "train": recipe.train},
        "hashes": {n: manifest.file_hash(p) for n, p in files.items() if p.is_file()},
        "versions": manifest.tool_versions(),
    }


def import_onnx(path: Path, board: str, calibration: Path | None = None, input_shape: tuple[int, ...] | None = None,
                min_agreement: float = importer.DEFAULT_AGREEMENT) -> manifest.Manifest:
    """An ONNX model without a recipe: converted and quantized to int8 with `calibration` (kept in build/<name>/host
    for later commands, which need not pass it again), then exported like a .tflite."""
    name = model_name(str(path))
    d = artifact_dir(name)
    onnx_model = importer.read(path, input_shape)
    m = manifest.read(d)
    int8 = d / "int8.tflite"
    # a calibration file by its contents; a folder of them by its path
    calibration_id = manifest.file_hash(calibration) if calibration and Path(calibration).is_file() else \
        calibration and str(Path(calibration).resolve())
    key = _key(manifest.file_hash(path), input_shape, code_fingerprint(), min_agreement, calibration_id)
    if calibration is None:
        if not (m.get("onnx", {}).get("hash") == manifest.file_hash(path) and int8.is_file()
                and (d / CALIBRATION_INPUTS).is_file() and (d / CALIBRATION_OUTPUTS).is_file()):
            raise importer.OnnxError(f"{path} needs calibration data to be quantized to int8",
                                     "pass --calibration inputs.npy (or a folder of .npy inputs) with the command, "
                                     "or name the model in a recipe's [model] file")
    elif not _fresh(m, "import", key, [int8, d / CALIBRATION_INPUTS, d / CALIBRATION_OUTPUTS]):
        x = importer.load_calibration(calibration, onnx_model.input_shape)
        if onnx_model.quantized:
            fields, x_device = _import_qdq(onnx_model, int8, x)
            host_outputs = tflm_outputs(int8, io_quant(int8.read_bytes())[0].quantize(x_device))
        else:
            fields, x_device, host_outputs = _import_float(onnx_model, d, int8, x, min_agreement)
        np.save(d / CALIBRATION_INPUTS, x_device)
        np.save(d / CALIBRATION_OUTPUTS, host_outputs)
        manifest.update(d, model=name, **{**fields, "calibration": str(Path(calibration).resolve()),
                                          "onnx": {**fields["onnx"], "hash": manifest.file_hash(path)}})
        importer.report(fields["parity"])
        _mark(d, "import", key)
    host = manifest.read(d)
    import_tflite(int8, board, name)
    m = manifest.update(artifact_dir(name, board), **{k: host[k] for k in ("parity", "input_layout", "onnx")})
    calibration_set = Lazy(lambda: Dataset(np.load(d / CALIBRATION_INPUTS), None, None, None, []))
    return _with_profile(artifact_dir(name, board), calibration_set, int8, m, split="calibration",
                         outputs=d / CALIBRATION_OUTPUTS)


def _import_float(onnx_model, d: Path, int8: Path, x: np.ndarray,
                  min_agreement: float) -> tuple[dict, np.ndarray, np.ndarray]:
    """A float ONNX model: lowered to Keras, then quantized to int8 with the calibration inputs `x`; (manifest
    fields, `x` in the device's layout, the int8 model's outputs on them)."""
    with console.status(f"importing {onnx_model.path.name}"):
        fields, x_device = importer.convert(onnx_model, d, x, "calibration")
    from toolchain.train.tf import keras

    with console.status("quantizing to int8"):
        int8.write_bytes(to_tflite(keras.models.load_model(d / "float.keras", compile=False), "int8", x_device))
    qin, qout = io_quant(int8.read_bytes())
    raw = tflm_outputs(int8, qin.quantize(x_device), None)
    parity = {**fields["parity"], **importer.int8_agreement(np.load(d / "onnx_outputs.npy"), qout.dequantize(raw),
                                                            min_agreement),
              "layers": _layer_sqnr(d / "float.keras", int8, x_device, x_device)}
    return {**fields, "parity": parity}, x_device, raw


def _import_qdq(onnx_model, int8: Path, x: np.ndarray) -> tuple[dict, np.ndarray]:
    """An already-quantized (QDQ) ONNX model: its own integers and scales written as int8.tflite, checked against
    ONNX Runtime's execution on the calibration inputs `x` (refused beyond 1 LSB)."""
    with console.status(f"importing {onnx_model.path.name} with its own quantization"):
        g = importer.to_int8_graph(onnx_model)
        x_device = importer.to_device_layout(x, onnx_model.input_shape, g.input_perm)
        staged = int8.with_name(".qdq_staged.tflite")  # int8.tflite is replaced only once it passes the check
        staged.write_bytes(qdq_tflite.write(g))
    with console.status("comparing with ONNX Runtime's execution of the QDQ model"):
        try:
            parity = qdq_check.check(onnx_model, g, staged, importer.user_layout(x_device, g.input_perm), x_device,
                                     "calibration")
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    staged.replace(int8)
    device_shape = tuple(onnx_model.input_shape[p] for p in g.input_perm)
    return {"input_layout": {"user_shape": list(onnx_model.input_shape), "device_shape": list(device_shape),
                             "perm": list(g.input_perm)},
            "onnx": {"file": str(onnx_model.path.resolve()), "opset": onnx_model.opset, "quantized": "qdq"},
            "parity": parity}, x_device


def _layer_sqnr(float_keras: Path, int8: Path, x_calibration: np.ndarray, x: np.ndarray) -> list[dict] | None:
    """Each int8 layer's SQNR against the same layer of the float model, converted to a float .tflite for the
    comparison."""
    from toolchain.train.tf import keras

    with console.status("comparing every int8 layer with float"):
        float_tflite = to_tflite(keras.models.load_model(float_keras, compile=False), "float", x_calibration)
        return importer.layer_sqnr(float_tflite, Path(int8).read_bytes(), x)


def import_tflite(path: Path, board: str, name: str | None = None) -> manifest.Manifest:
    """Export an existing .tflite as is: TFLM sources + arena, no data. `name`: the model's (default: the file's
    stem)."""
    data = load_tflite(path)
    name = name or model_name(str(path))
    d = artifact_dir(name, board, create=False)  # made only once something is written
    key = _key(manifest.file_hash(path), code_fingerprint())
    m = manifest.read(d)
    if _fresh(m, "export", key, [d / "tflm" / "model_data.cc"]):
        console.step("export: exports are up to date")
        return m
    info = summarize(data, path)
    if not info.full_integer:
        raise ExportError(f"'{path}' is not a full-integer int8 model (inputs {', '.join(info.input_types)}, "
                          f"{info.float_tensors} float weight tensors)",
                          "microcontroller runtimes need int8: quantize it with `toolchain optimize --quantize int8` "
                          "or the TFLite converter's full-integer mode")
    with console.status("measuring the TFLM arena"):
        exported = tflm.write_sources(path, d / "tflm")
    row = {"name": "int8", "path": str(Path(path).resolve()), "size_bytes": len(data), "accuracy": None}
    m = manifest.update(
        d, model=name, board=board, deploy=str(Path(path).resolve()), ops=exported["ops"],
        arena_bytes=exported["arena_bytes"], arena_measured_bytes=exported["arena_measured"],
        artifacts=[row, {**row, "name": "tflm", "path": str(d / "tflm")}], tflm_sources=exported["files"],
        lineage={"imported": str(Path(path).resolve()), "hashes": {Path(path).name: manifest.file_hash(path)},
                 "versions": manifest.tool_versions()},
    )
    _mark(d, "export", key)
    return m


def export(ref: str, board: str = "host", seed: int = 0, plan=None, force: bool = False,
           last_plan: bool = False, **onnx_options) -> manifest.Manifest:
    """Run every missing step for model `ref` and return the board's manifest. `onnx_options`: calibration,
    input_shape and min_agreement of an ONNX file given without a recipe."""
    if board != "host":
        boards.load(board)  # an unknown board is refused before any work, and leaves no build/<model>/<board>/
    if is_tflite_ref(ref):
        return import_tflite(Path(ref), board)
    if importer.is_onnx_ref(ref):
        return import_onnx(Path(ref), board, **onnx_options)
    m = export_step(recipes.load(ref), seed, plan, force, last_plan)
    if board == "host":
        return m
    d = artifact_dir(m["model"], board)
    return manifest.update(d, board=board, source=str(artifact_dir(m["model"])), **manifest.model_facts(m))


def export_aot(m: manifest.Manifest, board: str) -> manifest.Manifest:
    """AOT C code (model.h/model.c) for the deployed model, recorded in the manifest."""
    d = artifact_dir(m["model"], board)
    with console.status("generating AOT C"):
        r = compile_tflite(m["deploy"], d / "aot", name=m["model"])
    # the runtime interface model.h includes is generated from the protocol table: ship it beside, so the
    # exported folder compiles with only firmware/runtime/ on the include path
    dtype_h = d / "aot" / "tm_dtype.h"
    dtype_h.write_text(harness_protocol.headers()["tm_dtype.h"])
    aot = {"files": [str(f) for f in (*r.files, dtype_h)], "arena_bytes": r.arena_bytes, "weights_bytes": r.weights_bytes,
           "macs": r.macs, "layers": len(r.layers)}
    return manifest.update(d, aot=aot)


# what `--variant` may name: the int8 and int16x8 models of a plan deploy; the others say why they do not
VARIANTS = ("int8", "qat", "int16x8", "float16", "dynamic", "pruned", "distilled")


def deployable(m: manifest.Manifest, ref: str, variant: str | None) -> Path:
    """The .tflite a device step deploys: `variant` of the last plan, else its int8 (PTQ, then QAT)."""
    if variant is None:
        if not m.get("deploy"):
            made = ", ".join(a["name"] for a in m.get("artifacts", []) if a.get("name") not in ("float", "onnx")) or "none"
            raise ExportError(f"the last optimize plan of {m['model']} made no int8 model to deploy (made: {made})",
                              f"microcontroller runtimes need int8: `toolchain optimize --model {ref} --quantize int8` "
                              "(or --qat), then build again")
        return Path(m["deploy"])
    if variant not in VARIANTS:
        raise ExportError(f"unknown variant '{variant}'", f"use one of: {', '.join(VARIANTS)}")
    if is_file_ref(ref):
        raise ExportError(f"--variant {variant} names a variant of a recipe's plan; {ref} is a model file",
                          "leave --variant out to deploy the file as it is")
    if variant in ("float16", "dynamic"):
        raise ExportError(f"the {variant} variant keeps float weights; microcontroller runtimes need int8",
                          "deploy --variant int8 or --variant qat")
    if variant in ("pruned", "distilled"):
        raise ExportError(f"the {variant} variant is a Keras stage of the plan, deployed through its int8 model",
                          f"`toolchain optimize --model {ref} --{'prune 0.5' if variant == 'pruned' else 'distill'} "
                          "--quantize int8` makes that int8; then deploy --variant int8")
    made = manifest.read(artifact_dir(m["model"], create=False)).get("optimized", {})
    if variant not in made:
        flag = "--qat" if variant == "qat" else f"--quantize {variant}"
        raise ExportError(f"the last optimize plan of {m['model']} made no {variant} model (made: {', '.join(made) or 'none'})",
                          f"`toolchain optimize --model {ref} {flag}` makes it")
    return Path(made[variant])


def _with_calibration_inputs(p: Prepared, ref: str) -> Prepared:
    """A bare ONNX model's device checks run on the calibration inputs the user gave (kept at import), as optimize
    did: never on random data."""
    host = artifact_dir(p.name)
    if not (host / CALIBRATION_INPUTS).is_file() or not (host / CALIBRATION_OUTPUTS).is_file():
        raise importer.OnnxError(f"{ref} has no calibration inputs kept in {host}",
                                 f"import it again: `toolchain optimize --model {ref} --calibration inputs.npy`")
    p.test_inputs = io_quant(p.tflite.read_bytes())[0].quantize(np.load(host / CALIBRATION_INPUTS))
    p.host_int8_outputs = np.load(host / CALIBRATION_OUTPUTS)
    return p


def prepare(ref: str, board: str = "host", seed: int = 0, variant: str | None = None) -> Prepared:
    """Everything a device step needs, running missing upstream steps first. `variant`: which model of the last
    plan to deploy (default: its int8)."""
    m = export(ref, board, seed, last_plan=True)
    tflite = deployable(m, ref, variant)
    p = Prepared(m["model"], artifact_dir(m["model"], board), tflite, m)
    if importer.is_onnx_ref(ref):
        return _with_calibration_inputs(p, ref)
    if is_file_ref(ref):
        return p
    host = artifact_dir(m["model"])
    ts = np.load(host / "test_set.npz")
    qin, _ = io_quant(tflite.read_bytes())
    p.test_inputs, p.test_labels = qin.quantize(ts["x"]), ts["y"]
    if tflite == Path(m["deploy"] or ""):
        p.host_int8_outputs = np.load(host / "tflm_outputs.npy")
    else:  # another variant: its own reference outputs, from the same TFLM host interpreter
        p.host_int8_outputs = tflm_outputs(tflite, p.test_inputs, m.get("arena_bytes"))
    lineage = m.get("lineage", {})
    data = lineage.get("config", {}).get("data", {})
    if data.get("loader") in AUDIO_LOADERS:  # the device takes the raw clips and computes the features itself
        p.test_inputs, labels = raw_test_split(data["loader"], seed, data["test_fraction"], Path(lineage["recipe"]),
                                               **data["args"])
        if not np.array_equal(labels, p.test_labels):
            raise ExportError("the audio clips no longer match the held-out features", "rerun with --force")
    return p
