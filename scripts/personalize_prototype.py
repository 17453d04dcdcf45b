"""The personalization head in NumPy on host embeddings: how the defaults of docs/personalize.md were chosen
(on validation folders only) and what they give (on the evaluation folders, measured once).

    python scripts/personalize_prototype.py choose     # grid over lr, epochs, anchors, L2 pull; imprint rules
    python scripts/personalize_prototype.py measure    # the chosen defaults on the evaluation folders

The embedding is the int8 input of the model's last FULLY_CONNECTED, run by LiteRT's builtin kernels (which
round as TFLM's reference kernels do); the head starts from that FC dequantized; SGD and imprinting follow
the contract in docs/personalize.md. Folders come from scripts/personalize_data.py; the shots are K per
class from a seeded shuffle of each class's files sorted by name, the rest held back. Results go to
build/cache/personalize/prototype-<what>.json.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHOTS = 5
ANCHOR_POOL = 40  # training clips per class the anchors are drawn from


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
    pcm = np.stack([np.pad(wav_folder.read_wav(f, cfg.sample_rate)[:cfg.clip_samples],
                           (0, max(0, cfg.clip_samples - len(wav_folder.read_wav(f, cfg.sample_rate)))))
                    for f in files])
    return to_float(features(pcm, cfg))


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
    """Embeddings of a data folder: (e, label names, learn mask), K shots per class by a seeded shuffle."""
    def make():
        files, names = [], []
        for d in sorted(p for p in path.iterdir() if p.is_dir()):
            fs = sorted(f for f in d.iterdir() if f.suffix in (".wav", ".npy"))
            files += fs
            names += [d.name] * len(fs)
        return {"e": emb(inputs_of(model, files)), "names": np.array(names),
                "files": np.array([f.name for f in files])}

    d = cached(f"{model}-{path.name}", make)
    learn = np.zeros(len(d["names"]), bool)
    for name in dict.fromkeys(d["names"]):
        idx = np.flatnonzero(d["names"] == name)
        pick = np.random.default_rng(seed).permutation(len(idx))[:shots]
        learn[idx[pick]] = True
    return {**d, "learn": learn}


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
                "pool_y": d.y_train[pool]}

    return cached(f"{model}-splits", make)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def round_robin(y: np.ndarray) -> np.ndarray:
    """Indices ordered one example per class in turn: the order the CLI stores its shots in."""
    per = [list(np.flatnonzero(y == k)) for k in dict.fromkeys(y)]
    out = []
    while any(per):
        out += [p.pop(0) for p in per if p]
    return np.array(out, int)


def sgd(W0, b0, E, Y, lr, epochs, anchors=None, l2=0.0, ratio=1):
    """The contract's SGD, `ratio` anchors (embeddings, labels) interleaved after each example, cycling."""
    W, b = W0.copy(), b0.copy()
    seq = []
    a = 0
    for i in round_robin(Y):
        seq.append((E[i], Y[i]))
        for _ in range(ratio if anchors is not None else 0):
            seq.append((anchors[0][a % len(anchors[1])], anchors[1][a % len(anchors[1])]))
            a += 1
    for _ in range(epochs):
        for e, y in seq:
            g = softmax(W @ e + b)
            g[y] -= 1
            W -= lr * (np.outer(g, e) + l2 * (W - W0))
            b -= lr * (g + l2 * (b - b0))
    return W, b


def imprint(W, b, E, rule: str):
    """Head with one more row from embeddings E of the new class."""
    unit = E / (np.linalg.norm(E, axis=1, keepdims=True) + 1e-12)
    alpha = np.mean(np.linalg.norm(W, axis=1))
    w = alpha * unit.mean(axis=0)
    if rule == "mean-bias":
        bias = b.mean()
    elif rule == "max-bias":
        bias = b.max()
    elif rule == "margin":
        # the bias that puts the new row level with the best old class on the least-sure of its own examples
        bias = float(np.min((E @ W.T + b).max(axis=1) - E @ w))
    elif rule == "zero":
        bias = 0.0
    else:
        raise ValueError(rule)
    return np.vstack([W, w]), np.append(b, bias)


def accuracy(W, b, E, y) -> float:
    return float(np.mean(np.argmax(E @ W.T + b, axis=1) == y)) if len(y) else float("nan")


def anchor_set(emb, sp, kind: str, per_class: int):
    E, Y = emb.floats(sp["pool_e"]), sp["pool_y"]
    if kind == "none" or per_class == 0:
        return None
    if kind == "mean":
        classes = np.unique(Y)
        means = np.stack([E[Y == k].mean(axis=0) for k in classes])
        q = np.clip(np.round(means / emb.e_scale) + emb.e_zero, -128, 127)  # stored in flash as int8
        return emb.floats(q), classes
    idx = np.stack([np.flatnonzero(Y == k)[:per_class] for k in np.unique(Y)]).T.reshape(-1)  # round robin
    return E[idx], Y[idx]


def label_index(labels, names):
    return np.array([labels.index(n) if n in labels else len(labels) for n in names])
