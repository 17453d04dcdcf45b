"""A recipe folder: recipe.toml checked against its schema, and its model builder loaded."""

import difflib
import hashlib
import importlib.util
import inspect
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from toolchain.errors import ToolchainError
from toolchain.harness_protocol import LIMITS
from toolchain.paths import RECIPES

QUANT_MODES = ("int8", "int16x8", "float16", "dynamic")

# table -> {key: (type, default)}; None default means required
SCHEMA: dict[str, dict[str, tuple[type | tuple, Any]]] = {
    "": {"name": (str, None), "description": (str, ""), "task": (str, "classification")},
    # file: a model made elsewhere (net.onnx, beside recipe.toml) instead of model.py; the data calibrate and
    # evaluate it. min_agreement: int8 vs float top-1 agreement below it is reported loudly.
    # code: the Python file whose build() makes the model, beside recipe.toml or, failing that, under the
    # built-in models/ folder, so a recipe can share another's architecture (code = "keywords/model.py").
    "model": {"file": (str, ""), "min_agreement": (float, 0.99), "code": (str, "model.py")},
    "data": {"loader": (str, None), "test_fraction": (float, 0.2), "args": (dict, {})},
    # width: multiplier passed to model.py's build(..., width=) when not 1.0 (`toolchain sweep` varies it);
    # masks: SpecAugment-style time and band masks on 2-D features (toolchain/train/masks.py);
    # label_smoothing: of the classification targets; normalize: passed to model.py's build(..., normalize=True)
    # when true (models/keywords/model.py: each mel band less its mean over the clip)
    "train": {"epochs": (int, 30), "batch_size": (int, 32), "learning_rate": (float, 0.002), "width": (float, 1.0),
              "masks": (bool, False), "label_smoothing": (float, 0.0), "normalize": (bool, False)},
    "optimize": {
        "prune": (float, 0.0),
        "distill": (bool, False),
        "qat": (bool, False),
        "quantize": (list, ["int8"]),
        "fine_tune_epochs": (int, 5),
        "distill_temperature": (float, 4.0),
    },
    # the streaming detector's settings for `bench --stream` (toolchain/bench/stream.py, Detector): how often
    # the network runs, how many posteriors it averages, the threshold on that mean and the pause after a
    # detection. They decide nothing about training, so the fingerprint leaves this table out.
    "stream": {"every_hops": (int, 5), "average": (int, 4), "threshold": (float, 0.9), "suppress_s": (float, 1.0)},
}
# the [stream] table with its blank lines up to the next table or the end of the file
STREAM_TABLE = re.compile(r"^\[stream\][ \t]*(#.*)?(\n|$)(?:(?![ \t]*\[).*(\n|$))*", re.MULTILINE)


class RecipeError(ToolchainError):
    pass


@dataclass
class Recipe:
    name: str
    path: Path  # the recipe folder
    description: str
    task: str
    data: dict[str, Any]
    train: dict[str, Any]
    optimize: dict[str, Any]
    build_model: Callable | None = field(repr=False)  # None when the recipe names a model file
    model: dict[str, Any] = field(default_factory=lambda: {"file": "", "min_agreement": 0.99, "code": "model.py"})
    stream: dict[str, Any] = field(default_factory=lambda: {k: d for k, (_, d) in SCHEMA["stream"].items()})

    @property
    def model_file(self) -> Path | None:
        return self.path / self.model["file"] if self.model["file"] else None

    @property
    def code_file(self) -> Path:
        """The file whose build() makes the model (`[model] code`)."""
        return code_file(self.path, self.model["code"])

    @property
    def fingerprint(self) -> str:
        """Hash of the recipe's files: a change invalidates everything trained from it."""
        h = hashlib.sha256()
        for f in sorted({*self.path.glob("*"), self.code_file}):
            if f.is_file() and f.suffix in (".toml", ".py", ".onnx"):
                data = f.read_bytes()
                if f.name == "recipe.toml" and STREAM_TABLE.search(text := data.decode()):
                    data = (STREAM_TABLE.sub("", text).rstrip("\n") + "\n").encode()
                h.update(f.name.encode() + data)
        return h.hexdigest()[:16]


def available() -> list[str]:
    return sorted(p.parent.name for p in RECIPES.glob("*/recipe.toml"))


def resolve(ref: str) -> Path:
    """Recipe folder for a recipe name or path; a helpful error for a typo."""
    p = Path(ref)
    if p.name == "recipe.toml":
        p = p.parent
    if (p / "recipe.toml").is_file():
        return p.resolve()
    if (RECIPES / ref / "recipe.toml").is_file():
        return RECIPES / ref
    if ref.endswith(".tflite"):
        raise RecipeError(f"'{ref}' is a .tflite model, and this step needs a recipe to train from",
                          "export, build, emulate and bench take a .tflite as it is")
    if ref.endswith(".onnx"):
        raise RecipeError(f"'{ref}' is an ONNX model, and this step needs a recipe to train from",
                          "optimize and export take it with --calibration; a recipe can name it in [model] file")
    if p.is_dir():
        raise RecipeError(f"'{p}' has no recipe.toml", "a recipe folder holds recipe.toml and model.py (see models/digits)")
    names = available()
    close = difflib.get_close_matches(ref, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise RecipeError(
        f"unknown model '{ref}': not a recipe name, a recipe folder, a .tflite or an .onnx file",
        f"{hint}recipes: {', '.join(names)}",
    )


def _check(table: str, values: dict, where: Path) -> dict[str, Any]:
    spec = SCHEMA[table]
    label = f"[{table}]" if table else "top level"
    tables = [f"[{t}]" for t in SCHEMA if t] if not table else []
    unknown = set(values) - set(spec) - (set(SCHEMA) - {""} if not table else set())
    for k in sorted(unknown):
        # at the top level a misspelt table ([trian]) arrives as an unknown key holding a table
        names = list(spec) + ([t for t in SCHEMA if t] if not table else [])
        close = difflib.get_close_matches(k, names, n=1)
        what = "table" if isinstance(values[k], dict) else "key"
        shown = f"[{close[0]}]" if close and close[0] in SCHEMA else f"'{close[0]}'" if close else ""
        hint = f"did you mean {shown}?" if close else f"allowed: {', '.join(list(spec) + tables)}"
        raise RecipeError(f"{where}: unknown {what} '{k}' in {label}", hint)
    out = {}
    for k, (typ, default) in spec.items():
        if k not in values:
            if default is None:
                raise RecipeError(f"{where}: missing required key '{k}' in {label}")
            out[k] = default
            continue
        v = values[k]
        if typ is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, typ) or (typ is int and isinstance(v, bool)):
            raise RecipeError(f"{where}: '{k}' in {label} must be {typ.__name__}, got {v!r}")
        out[k] = v
    return out


def load(ref: str) -> Recipe:
    folder = resolve(ref)
    toml_path = folder / "recipe.toml"
    try:
        raw = tomllib.loads(toml_path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise RecipeError(f"{toml_path}: invalid TOML: {e}") from None
    top = _check("", raw, toml_path)
    tables = {t: _check(t, raw.get(t, {}), toml_path) for t in ("data", "train", "optimize")}
    model = _check("model", raw.get("model", {}), toml_path)
    stream = _check_stream(_check("stream", raw.get("stream", {}), toml_path), toml_path)
    if top["task"] not in ("classification", "regression"):
        raise RecipeError(f"{toml_path}: task must be 'classification' or 'regression', got '{top['task']}'")
    bad = [q for q in tables["optimize"]["quantize"] if q not in QUANT_MODES]
    if bad:
        raise RecipeError(f"{toml_path}: unknown quantization mode '{bad[0]}'", f"use one of: {', '.join(QUANT_MODES)}")
    if not 0 <= (smoothing := tables["train"]["label_smoothing"]) < 1:
        raise RecipeError(f"{toml_path}: label_smoothing in [train] must be in [0, 1), got {smoothing}")
    if not 0 <= tables["optimize"]["prune"] < 1:
        raise RecipeError(f"{toml_path}: prune must be a sparsity in [0, 1)")
    if model["file"]:
        if not model["file"].endswith(".onnx") or not (folder / model["file"]).is_file():
            raise RecipeError(f"{toml_path}: [model] file '{model['file']}' is not an .onnx file in {folder}",
                              "name an ONNX model beside recipe.toml, e.g. file = \"net.onnx\"")
        return Recipe(top["name"], folder, top["description"], top["task"], **tables, build_model=None, model=model,
                      stream=stream)
    src = code_file(folder, model["code"])
    if not src.is_file() or src.suffix != ".py":
        raise RecipeError(f"{toml_path}: no model code: '{model['code']}' is no Python file beside recipe.toml or under the "
                          "built-in models/", "add model.py defining build(keras, input_shape, num_outputs, variant), "
                          "or share another recipe's: [model] code = \"keywords/model.py\"")
    builder = _load_builder(src)
    _check_width(tables["train"]["width"], builder, src)
    if tables["train"]["normalize"] and not _takes(builder, "normalize"):
        raise RecipeError(f"{src}: build() takes no `normalize` keyword, so normalize = true cannot apply",
                          "add `normalize=False` to build(...) (see models/keywords/model.py), or drop it")
    return Recipe(top["name"], folder, top["description"], top["task"], **tables, build_model=builder, model=model,
                  stream=stream)


def _check_stream(stream: dict[str, Any], where: Path) -> dict[str, Any]:
    """The device's detector takes these ranges (firmware/frontend/tm_detector.c)."""
    if stream["every_hops"] < 1:
        raise RecipeError(f"{where}: every_hops in [stream] must be >= 1, got {stream['every_hops']}",
                          "the network runs every this many 20 ms hops, e.g. 5")
    if not 1 <= stream["average"] <= LIMITS.detector_max_average:
        raise RecipeError(f"{where}: average in [stream] must be 1 to {LIMITS.detector_max_average}, got "
                          f"{stream['average']}", "the detector averages the last this many posteriors, e.g. 4")
    if not 0 < stream["threshold"] <= 1:
        raise RecipeError(f"{where}: threshold in [stream] must be a posterior in (0, 1], got {stream['threshold']}")
    if stream["suppress_s"] < 0:
        raise RecipeError(f"{where}: suppress_s in [stream] must be >= 0 seconds, got {stream['suppress_s']}")
    return stream


def code_file(folder: Path, code: str) -> Path:
    """`[model] code` beside recipe.toml, else under the built-in models/ folder (a copied recipe keeps working)."""
    own = folder / code
    return own if own.is_file() or not (RECIPES / code).is_file() else RECIPES / code


def _takes(builder: Callable, keyword: str) -> bool:
    params = inspect.signature(builder).parameters
    return keyword in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _check_width(width: float, builder: Callable, src: Path) -> None:
    """A width other than 1.0 needs a build() that takes it; 1.0 is never passed (older recipes keep working)."""
    if width <= 0:
        raise RecipeError(f"{src.parent / 'recipe.toml'}: width in [train] must be > 0, got {width}")
    if width != 1.0 and not _takes(builder, "width"):
        raise RecipeError(f"{src}: build() takes no `width` keyword, so width = {width} cannot apply",
                          "add `width=1.0` to build(...) and scale the layers by it (see models/digits/model.py)")


def _load_builder(src: Path) -> Callable:
    spec = importlib.util.spec_from_file_location(f"toolchain_recipe_{src.parent.name}", src)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except Exception as e:  # noqa: BLE001 - user code: report it as a recipe problem
        raise RecipeError(f"{src}: failed to import: {type(e).__name__}: {e}") from None
    if not callable(getattr(mod, "build", None)):
        raise RecipeError(f"{src}: no build(keras, input_shape, num_outputs, variant) function")
    return mod.build
