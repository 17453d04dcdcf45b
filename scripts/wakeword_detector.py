"""The streaming detector's settings for a wake word, chosen on the validation recordings only.

    python scripts/wakeword_detector.py --model wakeword_phrase [--seeds 0 1 2] [--minutes 20]
        [--every-hops 4 5] [--averages 2 4 6 8 12 16] [--voices validation|piper|gnuspeech]

Makes (once, cached) `bench --stream --voices validation` recordings of the model's words, one per seed, runs
the int8 network on every window through the firmware's front-end C and TFLM's reference kernels (the outputs
the device produces, bit for bit: `bench --stream` checks it on every run), and replays the device's integer
detector (toolchain/bench/stream.py) for each setting. Per setting it applies the docs' threshold rule: the
lowest threshold of the sweep with no false accept over all the validation minutes, plus 0.1, capped at the
sweep's top (0.975); and reports the false rejects there, and the false rejects and false accepts at the
recipe's own `[stream]` setting. Never reads the held-out voices.
--voices piper / gnuspeech: the recordings are voiced by that training synthesizer's renders instead, for a model
trained without it (a leave-one-synthesizer-out proxy for voices never heard; docs/keywords.md, "Fourth round").
Results go to build/<model>/host/detector-<voices>.json.
"""

import argparse
import hashlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MARGIN = 0.1  # added to the lowest threshold with no false accept (docs/keywords.md, "Your own wake word")
THRESHOLDS = np.round(np.arange(0.3, 0.976, 0.025), 3)


def outputs(model: str, seed: int, minutes: float, every_hops: int, voices: str = "validation") -> dict:
    """The recording's events and the network's outputs at every `every_hops` hops, cached beside the model."""
    from toolchain import manifest
    from toolchain.audio import frontend_of
    from toolchain.bench.stream import NOT_KEYWORDS, host_outputs, pieces
    from toolchain.build.audio import lut
    from toolchain.paths import artifact_dir
    from toolchain.pipeline import model_name
    from toolchain.recipes.data.speech_stream import recording

    folder = artifact_dir(model_name(model), create=False)
    m = manifest.read(folder)
    net = hashlib.sha256(Path(m["deploy"]).read_bytes()).hexdigest()[:12]
    cache = folder / f"detector-{voices}-{seed}-{minutes}-{every_hops}-{net}.npz"
    if cache.is_file():
        with np.load(cache) as f:
            return {"ends": f["ends"], "outputs": f["outputs"], "events": json.loads(str(f["events"])),
                    "duration_s": float(f["duration_s"])}
    cfg, labels = frontend_of(m), m["labels"]
    args = manifest.data_config(m).get("args", {})
    keywords = tuple(label for label in labels if label not in NOT_KEYWORDS)
    spoken = {k: f"[[{v}]]" for k, v in (args.get("phonemes") or {}).items()}
    pcm, events = recording(seed, minutes, keywords, voices, spoken)
    rows = pieces(pcm, cfg.clip_samples)
    ends, out = host_outputs(rows.reshape(-1), cfg, Path(m["deploy"]), m["arena_bytes"], lut(Path(m["deploy"])),
                             every_hops)
    duration = len(pcm) / cfg.sample_rate
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, ends=ends, outputs=out, events=json.dumps(events), duration_s=duration)
    return {"ends": ends, "outputs": out, "events": events, "duration_s": duration}


def scored(runs: list[dict], det, labels: list[str], cfg, qout) -> dict:
    """The device's detector `det` replayed on every run: false rejects and false accepts over all of them."""
    from toolchain.bench.stream import DeviceDetector, named, replay, score

    dd = DeviceDetector.of(det, labels, qout.scale, qout.zero_point, cfg)
    keywords = missed = false = 0
    for r in runs:
        s = score(named(replay(r["ends"], r["outputs"], dd), labels, cfg, qout.scale, det.average),
                  r["events"], r["duration_s"], det)
        keywords += s["keywords"]
        missed += s["keywords"] - s["detected"]
        false += s["false_accepts"]
    hours = sum(r["duration_s"] for r in runs) / 3600
    return {"threshold": det.threshold, "keywords": keywords, "false_rejects_pct": round(100 * missed / keywords, 2),
            "false_accepts": false, "false_accepts_per_hour": round(false / hours, 2)}


def evaluate(model: str, seeds: list[int], minutes: float, hops: list[int], averages: list[int],
             voices: str = "validation") -> dict:
    from toolchain import manifest
    from toolchain.audio import frontend_of
    from toolchain.bench.stream import Detector, recipe_detector
    from toolchain.evaluate import io_quant
    from toolchain.paths import artifact_dir
    from toolchain.pipeline import model_name

    m = manifest.read(artifact_dir(model_name(model), create=False))
    cfg, labels = frontend_of(m), m["labels"]
    _, qout = io_quant(Path(m["deploy"]).read_bytes())
    rows = []
    for every in hops:
        runs = [outputs(model, s, minutes, every, voices) for s in seeds]
        for average in averages:
            det = Detector(every_hops=every, average=average)
            sweep = [scored(runs, replace(det, threshold=float(thr)), labels, cfg, qout) for thr in THRESHOLDS]
            keywords = sweep[0]["keywords"]
            clean = [p["threshold"] for p in sweep if p["false_accepts"] == 0]
            chosen = None
            if clean:
                want = min(clean[0] + MARGIN, float(THRESHOLDS[-1]))
                chosen = min(sweep, key=lambda p: abs(p["threshold"] - want))
            rows.append({"every_hops": every, "average": average, "keywords": keywords,
                         "lowest_clean": clean[0] if clean else None, "chosen": chosen, "sweep": sweep})
    own = recipe_detector(model)
    runs = [outputs(model, s, minutes, own.every_hops, voices) for s in seeds]
    return {"model": model, "voices": voices, "seeds": seeds, "minutes_each": minutes, "rows": rows,
            "recipe_detector": {"average": own.average, **scored(runs, own, labels, cfg, qout)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="wakeword")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--every-hops", type=int, nargs="+", default=[5])
    ap.add_argument("--averages", type=int, nargs="+", default=[2, 4, 6, 8, 12, 16])
    ap.add_argument("--voices", choices=("validation", "piper", "gnuspeech"), default="validation",
                    help="who speaks in the recordings: espeak-ng's validation voices, or a training synthesizer the "
                         "model did not train on")
    a = ap.parse_args()
    os.chdir(REPO)
    from toolchain import manifest
    from toolchain.bench.stream import Detector
    from toolchain.errors import ToolchainError
    from toolchain.paths import artifact_dir
    from toolchain.pipeline import model_name
    from toolchain.recipes.data.speech_stream import trained_on

    try:
        for every in a.every_hops:
            for average in a.averages:
                Detector(every_hops=every, average=average).check()
        m = manifest.read(artifact_dir(model_name(a.model), create=False))
        if not m.get("deploy"):
            sys.exit(f"error: {a.model} is not built: run toolchain export --model {a.model} first")
        if why := trained_on(a.voices, manifest.data_config(m).get("args", {})):
            sys.exit(f"error: --voices {a.voices}: {why}: train a copy with {a.voices} = 0 for it")
        r = evaluate(a.model, a.seeds, a.minutes, a.every_hops, a.averages, a.voices)
    except ToolchainError as e:
        sys.exit(f"error: {e}")
    from toolchain.paths import build_root

    out = build_root() / Path(a.model).name / "host" / f"detector-{a.voices}.json"
    out.write_text(json.dumps(r, indent=1))
    print(f"{a.model}: {len(a.seeds)} {a.voices} recordings x {a.minutes} min")
    print("every_hops average | lowest threshold with no false accept | chosen (+0.1): false rejects, false accepts/h")
    for row in r["rows"]:
        c = row["chosen"]
        tail = (f"{c['threshold']}: {c['false_rejects_pct']} % of {row['keywords']}, {c['false_accepts_per_hour']}/h"
                if c else "none")
        print(f"{row['every_hops']:>10} {row['average']:>7} | {row['lowest_clean']} | {tail}")
    own = r["recipe_detector"]
    print(f"the recipe's [stream] (average {own['average']}, threshold {own['threshold']}): {own['false_rejects_pct']} "
          f"% false rejects of {own['keywords']}, {own['false_accepts']} false accepts ({own['false_accepts_per_hour']}/h)")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
