"""Anchors: factory embeddings kept in the firmware's flash and interleaved with
the user's examples during SGD (DEFAULTS.anchor_ratio after each), so the head
does not forget the classes the user gives few or no examples of; imprinting
centres the new row on them too.

Chosen at build time from the recipe's TRAINING split (never its test split,
on which forgetting is measured): for class k, the first `anchors_per_class`
of numpy.random.default_rng([1, k]).permutation over that class's training
examples; their embeddings are the int8 input of the last FULLY_CONNECTED
from TFLite Micro's reference interpreter (the AOT code is bit-exact with it).
Ordered round-robin by class. Cached beside the model as ANCHOR_FILE, by the
.tflite's hash. A model without a recipe (an imported .tflite) has none."""

from pathlib import Path

import numpy as np

from toolchain import manifest
from toolchain.console import console
from toolchain.evaluate import io_quant
from toolchain.personalize.config import DEFAULTS
from toolchain.personalize.head import Anchors, FactoryHead
from toolchain.recipes.data import dataset as datasets

ANCHOR_FILE = "personalize-anchors.npz"
ARENA_BYTES = 16 << 20  # every tensor is preserved by the interpreter


def pick(y_train: np.ndarray, classes: int, per_class: int = DEFAULTS.anchors_per_class) -> list[int]:
    """Training indices of the anchors, round-robin by class."""
    chosen = []
    for k in range(classes):
        idx = np.flatnonzero(np.asarray(y_train) == k)
        chosen.append(idx[np.random.default_rng([1, k]).permutation(len(idx))[:per_class]])
    order = []
    for i in range(max((len(c) for c in chosen), default=0)):
        order += [int(c[i]) for c in chosen if i < len(c)]
    return order


def embeddings(tflite: Path, tensor: int, x: np.ndarray) -> np.ndarray:
    """The int8 values of `tensor` for each quantized input in `x`, by TFLM's reference kernels."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(Path(tflite).read_bytes(), arena_size=ARENA_BYTES,
                                        intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)
    shape = it.get_input_details(0)["shape"]
    out = []
    for sample in x:
        it.set_input(np.asarray(sample).reshape(shape), 0)
        it.invoke()
        out.append(np.array(it.GetTensor(tensor, 0)["tensor_data"]).reshape(-1).astype(np.int8))
    return np.stack(out) if out else np.zeros((0, 0), np.int8)


def anchors_for(prepared, head: FactoryHead) -> Anchors:
    """The anchors of the prepared model (cached); none for a model without a recipe's data."""
    lineage = prepared.manifest.get("lineage") or {}
    config, recipe = lineage.get("config", {}).get("data"), lineage.get("recipe")
    if not config or not recipe or DEFAULTS.anchors_per_class == 0:
        return Anchors.none(head.dim)
    tflite = Path(prepared.tflite)
    key = f"{manifest.file_hash(tflite)[:16]}-{DEFAULTS.anchors_per_class}-{head.embed_tensor}"
    cache = tflite.parent / ANCHOR_FILE
    if cache.is_file():
        saved = np.load(cache)
        if str(saved["key"]) == key:
            return Anchors(saved["q"].astype(np.int8), saved["labels"].astype(np.uint8))
    with console.status(f"anchors: {DEFAULTS.anchors_per_class} training examples per class through {tflite.name}"):
        data = datasets.load(config["loader"], int(lineage.get("seed", 0)), config["test_fraction"],
                             base_dir=Path(recipe), **config["args"])
        idx = pick(data.y_train, head.classes)
        qin, _ = io_quant(tflite.read_bytes())
        q = embeddings(tflite, head.embed_tensor, qin.quantize(data.x_train[idx]))
    result = Anchors(q.reshape(len(idx), head.dim), np.asarray(data.y_train[idx], np.uint8))
    np.savez(cache, key=key, q=result.q, labels=result.labels)
    return result
