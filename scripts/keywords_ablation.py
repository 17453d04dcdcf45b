"""Choose the keywords network's training on the validation voices only: trains float variants of a speech recipe
(width, depth, epochs, per-clip normalisation, SpecAugment-style masking, label smoothing, class weights) on the recipe's own clips and split, and scores
each on its own test split and on the validation voices (speech.VALIDATION_VOICES saying the keywords and
heldout.OTHER_WORDS). Flite is never touched here: the variant kept is exported and measured once with
scripts/heldout_keywords.py.

    python scripts/keywords_ablation.py --model ./keywords_many --variant base --variant wide:width=64 \\
        --variant wide_masked:width=64,mask=1 [--epochs 30] [--out build/ablation.json]

A variant is NAME:key=value,...; keys: width (channels), blocks (depthwise-separable blocks), epochs, norm (1: each
mel band less its mean over the clip, models/keywords/model.py's normalize), mask (1: toolchain/train/masks.py's
SpecAugment-style masks on the training features), smooth (label smoothing), unknown (the loss weight of "unknown"
clips, 1 by default), lr (Adam's learning rate, 0.001), decay (1: the rate falls along a cosine to 0).
Scores are of the float network (its int8 twin agrees on >= 99 % of clips); "network MACs" counts its
multiply-accumulates per inference, which the device's instructions follow (2,742,878 for the recipe's
1.99 M MACs, docs/keywords.md)."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def validation_set(labels: list[str], cfg) -> tuple[np.ndarray, list[dict]]:
    """Features and rows ({word, keyword}) of every validation voice and speed saying every keyword and other word."""
    from toolchain.audio import features, to_float
    from toolchain.recipes.data import heldout, speech

    keywords = [w for w in labels if w not in ("unknown", "silence")]
    others = [w for w in heldout.OTHER_WORDS + speech.KEYWORDS if w not in keywords]
    pcm, rows = [], []
    for voice in speech.VALIDATION_VOICES:
        for speed in speech.VALIDATION_SPEEDS:
            for word in keywords + others:
                pcm.append(heldout.centred(speech.resample(speech.speak(word, voice, speed, 50)), cfg.clip_samples))
                rows.append({"word": word, "keyword": word in keywords})
    return to_float(features(np.stack(pcm), cfg)), rows


def scores(p: np.ndarray, y: np.ndarray | None, rows: list[dict], labels: list[str]) -> dict:
    keywords = [w for w in labels if w not in ("unknown", "silence")]
    heard = [labels[i] for i in p.argmax(axis=1)]
    sure = p.max(axis=1) >= 0.9
    kw = [i for i, r in enumerate(rows) if r["keyword"]]
    other = [i for i, r in enumerate(rows) if not r["keyword"]]
    return {"recognised": round(100 * np.mean([heard[i] == rows[i]["word"] for i in kw]), 1),
            "other_taken": round(100 * np.mean([heard[i] in keywords for i in other]), 1),
            "recognised_sure": round(100 * np.mean([heard[i] == rows[i]["word"] and sure[i] for i in kw]), 1),
            "other_taken_sure": round(100 * np.mean([heard[i] in keywords and sure[i] for i in other]), 1)}


def macs(model) -> int:
    """Multiply-accumulates per inference of the convolutions and dense layers."""
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Conv2D", "DepthwiseConv2D"):
            _, h, w, c = layer.output_shape
            kh, kw = layer.kernel_size
            cin = layer.input_shape[-1]
            total += h * w * kh * kw * (c if kind == "DepthwiseConv2D" else cin * c)
        elif kind == "Dense":
            total += layer.input_shape[-1] * layer.units
    return total


def train(variant: dict, data, epochs: int, seed: int):
    from toolchain.recipes import load as load_recipe
    from toolchain.train.float_model import smoothed_loss
    from toolchain.train.masks import masked_batches
    from toolchain.train.tf import keras, seed_everything

    seed_everything(seed)
    build = load_recipe("keywords").build_model  # models/keywords/model.py: width is a multiplier of its 48
    model = build(keras, data.input_shape, data.num_outputs, width=int(variant.get("width", 48)) / 48,
                  blocks=int(variant.get("blocks", 3)), normalize=bool(int(variant.get("norm", 0))))
    smooth = float(variant.get("smooth", 0))
    loss = smoothed_loss(data.num_outputs, smooth) if smooth else "sparse_categorical_crossentropy"
    epochs = int(variant.get("epochs", epochs))
    rate = float(variant.get("lr", 0.001))
    if int(variant.get("decay", 0)):
        rate = keras.optimizers.schedules.CosineDecay(rate, epochs * -(-len(data.y_train) // 32))
    model.compile(keras.optimizers.Adam(rate), loss, metrics=["accuracy"])
    weights = {i: 1.0 for i in range(data.num_outputs)}
    weights[data.labels.index("unknown")] = float(variant.get("unknown", 1))
    t0, c0 = time.time(), time.process_time()
    if int(variant.get("mask", 0)):
        h = model.fit(masked_batches(data.x_train, data.y_train, 32, seed), epochs=epochs, verbose=0,
                      class_weight=weights)
    else:
        h = model.fit(data.x_train, data.y_train, batch_size=32, epochs=epochs, verbose=0, class_weight=weights)
    return model, {"train_accuracy": round(100 * h.history["accuracy"][-1], 1), "epochs": epochs,
                   "train_wall_s": round(time.time() - t0), "train_cpu_s": round(time.process_time() - c0)}


def parse(text: str) -> tuple[str, dict]:
    name, _, rest = text.partition(":")
    return name, dict(kv.split("=") for kv in rest.split(",") if kv)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="keywords")
    ap.add_argument("--variant", action="append", default=[], help="NAME:key=value,... (see the module doc)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("build/ablation.json"))
    a = ap.parse_args()
    os.chdir(REPO)
    from toolchain.audio import FrontendConfig
    from toolchain.recipes import load as load_recipe
    from toolchain.recipes.data import load as load_data

    recipe = load_recipe(a.model)
    args = dict(recipe.data["args"])
    cfg = FrontendConfig.of(args.get("frontend"))
    data = load_data(recipe.data["loader"], a.seed, recipe.data["test_fraction"], base_dir=recipe.path, **args)
    xv, rows = validation_set(data.labels, cfg)
    results = json.loads(a.out.read_text()) if a.out.is_file() else {}
    for text in a.variant or ["base:"]:
        name, variant = parse(text)
        model, r = train(variant, data, a.epochs, a.seed)
        test = float(np.mean(model.predict(data.x_test, verbose=0).argmax(axis=1) == data.y_test))
        r.update(variant=variant, macs=macs(model), test_split=round(100 * test, 1),
                 **scores(model.predict(xv, verbose=0), None, rows, data.labels))
        results[f"{recipe.name}/{name}"] = r
        print(f"{recipe.name}/{name}: {json.dumps(r)}", flush=True)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
