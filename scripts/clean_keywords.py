"""A keyword model's int8 network on clean espeak-ng clips of its own training voices: the in-distribution test
(models/keywords' 97 % was its own test split of such clips, before recipes took augmentation, Piper and other
words). A recipe trained on harder clips has a harder own test split; this set asks the old question again.

    python scripts/clean_keywords.py [--model keywords_voices] [--clips 100]

The clips are made by the speech loader (toolchain/recipes/data/speech.py) with the model's keywords, phonemes and
voices, and otherwise the plain settings: no augmentation, no Piper, no near misses, "unknown" said as the 29
classic other words (and keywords cut by the clip's edge), the background at 10-30 dB SNR; --clips of each keyword
and of "silence", four times that of "unknown". They are drawn with CLEAN_SEED, which no recipe trains on (a
recipe draws its clips with its own seed, 0 unless `--seed` says otherwise), so every clip is new to the network.
The features come from the project's front-end (the C the device runs) and the int8 network runs on TFLM's
reference kernels (which the device equals). Results go to build/<model>/host/clean-test.json.
"""

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CLEAN_SEED = 20_261_210
UNKNOWN_FACTOR = 4


def evaluate(model: str, clips: int) -> dict:
    from toolchain import manifest
    from toolchain.audio import features, frontend_of, to_float
    from toolchain.evaluate import io_quant
    from toolchain.evaluate.reference import tflm_outputs
    from toolchain.paths import artifact_dir
    from toolchain.pipeline import model_name, prepare
    from toolchain.recipes.data import speech

    m = manifest.read(artifact_dir(model_name(model), create=False))
    if not m.get("deploy") or not Path(m["deploy"]).is_file():
        m = prepare(model, "host", 0).manifest
    tflite = Path(m["deploy"])
    cfg, labels = frontend_of(m), m["labels"]
    args = manifest.data_config(m).get("args", {})
    keywords = [w for w in labels if w not in speech.NOT_KEYWORDS]
    words = speech.Words.of(keywords, args.get("phonemes"), args.get("voices", "few"), [])
    pcm, y = speech.clips(CLEAN_SEED, clips, UNKNOWN_FACTOR, words)
    qin, qout = io_quant(tflite.read_bytes())
    out = tflm_outputs(tflite, qin.quantize(to_float(features(pcm, cfg))), m["arena_bytes"])
    heard = out.argmax(axis=1)
    per_class = {label: round(100 * float(np.mean(heard[y == i] == i)), 1) for i, label in enumerate(labels)}
    test_split = next((a["accuracy"] for a in m.get("artifacts", []) if a["name"] == "int8"), None)
    return {"model": model, "date": date.today().isoformat(), "seed": CLEAN_SEED, "clips": int(len(y)),
            "accuracy": round(100 * float(np.mean(heard == y)), 1), "per_class": per_class,
            "test_split_int8": test_split, "voices": args.get("voices", "few")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="keywords")
    ap.add_argument("--clips", type=int, default=100, help="clips of each keyword and of silence")
    a = ap.parse_args()
    os.chdir(REPO)
    from toolchain.paths import build_root

    r = evaluate(a.model, a.clips)
    out = build_root() / Path(a.model).name / "host" / "clean-test.json"
    out.write_text(json.dumps(r, indent=1))
    print(f"{Path(a.model).name}: clean espeak-ng clips of its training voices {r['accuracy']} % of {r['clips']} "
          f"(its own test split, int8: {100 * (r['test_split_int8'] or 0):.1f} %); per class {r['per_class']}  -> {out}")


if __name__ == "__main__":
    main()
