"""Host embeddings for the personalization prototype (scripts/personalize_prototype.py): the int8 model up to
its last FULLY_CONNECTED (LiteRT's builtin kernels, which round as TFLM's reference kernels do), the data
folders of scripts/personalize_data.py, the recipe's splits and new recipe-made clips, each cached under
build/cache/personalize/emb-<model>-<its .tflite's hash>-<name>.npz (a retrained model makes its own)."""

import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
ANCHOR_POOL = 100  # training clips per class the anchors are chosen from


class Embedder:
    """The int8 model up to its last FULLY_CONNECTED, and that FC as a float head."""

    def __init__(self, tflite: Path):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        from toolchain.console import quiet_stderr

        with warnings.catch_warnings(), quiet_stderr():
            warnings.simplefilter("ignore")
            it = Interpreter(model_content=Path(tflite).read_bytes(), experimental_preserve_all_tensors=True,
                             experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
            it.allocate_tensors()
        fc = [op for op in it._get_ops_details() if op["op_name"] == "FULLY_CONNECTED"][-1]
        details = {d["index"]: d for d in it.get_tensor_details()}
        e_idx, w_idx, b_idx = fc["inputs"][:3]
        self.it, self.e_idx = it, e_idx
        eq = details[e_idx]["quantization_parameters"]
        self.e_scale, self.e_zero = float(eq["scales"][0]), int(eq["zero_points"][0])
        wq = it.get_tensor(w_idx).astype(np.float64)
        ws = details[w_idx]["quantization_parameters"]["scales"].astype(np.float64)
        ws = np.broadcast_to(ws, (wq.shape[0],))
        self.W0 = wq * ws[:, None]
        self.b0 = it.get_tensor(b_idx).astype(np.float64) * self.e_scale * ws
        inp = it.get_input_details()[0]
        self.inp = inp
        self.in_scale, self.in_zero = inp["quantization"]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """int8 embeddings of float model inputs x (n, ...)."""
        out = []
        for sample in x:
            q = np.clip(np.round(sample / self.in_scale) + self.in_zero, -128, 127).astype(np.int8)
            self.it.set_tensor(self.inp["index"], q.reshape(self.inp["shape"]))
            self.it.invoke()
            out.append(self.it.get_tensor(self.e_idx).reshape(-1).copy())
        return np.stack(out)

    def floats(self, q: np.ndarray) -> np.ndarray:
        return (q.astype(np.float64) - self.e_zero) * self.e_scale


def manifest(model: str) -> dict:
    from toolchain import manifest as mf
    from toolchain.paths import artifact_dir

    return mf.read(artifact_dir(model, create=False))


def tflite_of(model: str) -> Path:
    from toolchain.paths import artifact_dir

    return artifact_dir(model, create=False) / "int8.tflite"


def inputs_of(model: str, files: list[Path]) -> np.ndarray:
    """Float model inputs of data-folder files (.wav through the device's front-end, .npy as they are)."""
    if files[0].suffix == ".npy":
        return np.stack([np.load(f) for f in files]).astype(np.float32)
    from toolchain.audio import features, frontend_of, to_float
    from toolchain.recipes.data import wav_folder

    cfg = frontend_of(manifest(model))
    clips = [wav_folder.read_wav(f, cfg.sample_rate)[:cfg.clip_samples] for f in files]
    pcm = np.stack([np.pad(x, (0, cfg.clip_samples - len(x))) for x in clips])
    return to_float(features(pcm, cfg))


def tag(model: str) -> str:
    """The model's name and the start of its int8 .tflite's hash: what an embedding cache belongs to."""
    from toolchain import manifest as mf

    return f"{model}-{mf.file_hash(tflite_of(model))[:12]}"


def cached(name: str, make):
    from toolchain.paths import build_root

    p = build_root() / "cache" / "personalize" / f"emb-{name}.npz"
    if p.is_file():
        with np.load(p, allow_pickle=False) as f:
            return {k: f[k] for k in f}
    d = make()
    p.parent.mkdir(parents=True, exist_ok=True)
    np.savez(p, **d)
    return d


def folder(model: str, emb: Embedder, path: Path, shots: int, seed: int) -> dict:
    """Embeddings of a data folder: e, label names, the learn mask and the learning order; K shots per class by
    a seeded shuffle of its files sorted by name."""
    def make():
        files, names = [], []
        for d in sorted(p for p in path.iterdir() if p.is_dir()):
            fs = sorted(f for f in d.iterdir() if f.suffix in (".wav", ".npy"))
            files += fs
            names += [d.name] * len(fs)
        return {"e": emb(inputs_of(model, files)), "names": np.array(names),
                "files": np.array([f.name for f in files])}

    d = cached(f"{tag(model)}-{path.name}", make)
    shuffled = {name: np.flatnonzero(d["names"] == name)[np.random.default_rng(seed).permutation(
        np.sum(d["names"] == name))] for name in sorted(set(d["names"]))}
    # the order `toolchain personalize` stores them in: shot 1 of every class (folders by name), then shot 2, ...
    order = np.array([idx[k] for k in range(shots) for idx in shuffled.values()], int)
    learn = np.zeros(len(d["names"]), bool)
    learn[order] = True
    return {**d, "learn": learn, "order": order}


def splits(model: str, emb: Embedder) -> dict:
    """Embeddings of the recipe's test split (all of it) and of ANCHOR_POOL training clips per class."""
    from toolchain.recipes.data import dataset

    m = manifest(model)
    data = m["lineage"]["config"]["data"]

    def make():
        d = dataset.load(data["loader"], m["lineage"]["seed"], data["test_fraction"], **data.get("args", {}))
        pool = np.concatenate([np.flatnonzero(d.y_train == k)[np.random.default_rng([1, k]).permutation(
            np.sum(d.y_train == k))[:ANCHOR_POOL]] for k in range(len(d.labels))])
        return {"test_e": emb(d.x_test), "test_y": d.y_test, "pool_e": emb(d.x_train[pool]),
                "pool_y": d.y_train[pool], "train_counts": np.bincount(d.y_train, minlength=len(d.labels))}

    return cached(f"{tag(model)}-splits", make)


FRESH_SEED = 26_000  # a seed the recipe never uses: new clips of the training distribution
FRESH_PER_CLASS = 100


def fresh(model: str, emb: Embedder) -> dict | None:
    """Embeddings of new clips made like the recipe's (its generator with every [data.args] it trains with, another
    seed): what the head must not forget, measured without the test split. None for a model whose loader makes no
    new samples."""
    from toolchain.audio import features, frontend_of, to_float

    m = manifest(model)
    data = m["lineage"]["config"]["data"]
    if data["loader"] != "speech":
        return None

    def make():
        pcm, y = fresh_clips(data.get("args", {}))
        return {"e": emb(to_float(features(pcm, frontend_of(m)))), "y": y}

    return cached(f"{tag(model)}-fresh", make)


def fresh_clips(args: dict):
    """FRESH_PER_CLASS clips a class (the recipe's class balance) by the speech loader's generator with the recipe's
    [data.args] (voices, augmentation, word sets, Piper, GnuSpeech, near misses, ...) and FRESH_SEED; the user's
    recordings a recipe mixes in are not new clips and are left out."""
    from toolchain.recipes.data import speech

    return speech.raw(FRESH_SEED, **{**args, "clips_per_class": FRESH_PER_CLASS, "recordings": None})
