"""A keyword model's int8 network on voices it never trained on, through the project's own front-end (the C the
device runs) and TFLM's reference kernels (which the device equals): every keyword and every other word, one
clip each per voice and speed, the word in the middle of 1 s, peaking at -10 dBFS.

    python scripts/heldout_keywords.py [--model keywords] [--voices heldout|validation] [--docs]
    python scripts/heldout_keywords.py --recordings-of slt --out my_words   # a "new speaker" to mix in

--voices heldout: CMU Flite's four 16 kHz voices at 3 speeds, the synthesizer no recipe trains on.
--voices validation: espeak-ng voices and variants kept out of the recipe's training clips (for choosing and
tuning; the held-out set is measured once per change kept).
--voices piper / gnuspeech: a training synthesizer's own cached renders (Piper's 8 per word, GnuSpeech's 20
speakers), for a model that never trained on it: leave one synthesizer out, to see whether more synthesizers
help on one never heard without looking at Flite. A model that trained on it is refused.
"Other words" are fixed lists no recipe trains on, plus the default keywords that are not the model's own.
Each is scored by the top class (argmax), and again as the streaming detector decides: only a top class whose
posterior reaches 0.9 counts.
Results go to build/<model>/heldout-<voices>.json; --docs writes the per-voice table into docs/keywords.md.
--recordings-of VOICE writes that Flite voice saying each default keyword twice (speeds 0.9 and 1.1, which the
held-out set does not use) as WAV files in the wav_folder layout: 20 recordings of one "new speaker".
"""

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import numpy as np

from docs_section import machine, replace_section

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BEGIN, END = "<!-- heldout:begin -->", "<!-- heldout:end -->"
CONFIDENT = 0.9  # the streaming detector's default threshold on the mean posterior


def voice_set(name: str):
    """[(voice, speed, speak(text) -> float 16 kHz)] of set `name`."""
    from toolchain.recipes.data import heldout, speech

    if name == "heldout":
        return [(v, s, lambda t, v=v, s=s: heldout.speak(t, v, s)) for v in heldout.VOICES for s in heldout.SPEEDS]
    if name == "piper":
        from toolchain.recipes.data import piper_voice

        return [(f"piper-{i}", "", lambda t, i=i: piper_voice.bank(t)[i]) for i in range(piper_voice.RENDERS)]
    if name == "gnuspeech":
        from toolchain.recipes.data import gnuspeech_voice

        return [(f"gnuspeech-{i}", "", lambda t, i=i: gnuspeech_voice.banks([t])[t][i])
                for i in range(gnuspeech_voice.RENDERS)]
    return [(v, s, lambda t, v=v, s=s: speech.resample(speech.speak(t, v, s, 50)))
            for v in speech.VALIDATION_VOICES for s in speech.VALIDATION_SPEEDS]


def evaluate(model: str, voices: str, seed: int) -> dict:
    from toolchain.audio import features, frontend_of, to_float
    from toolchain.evaluate import io_quant
    from toolchain.evaluate.reference import tflm_outputs
    from toolchain import manifest
    from toolchain.paths import artifact_dir
    from toolchain.pipeline import model_name, prepare
    from toolchain.recipes.data import heldout, speech
    from toolchain.recipes.data.speech_stream import trained_on

    # the model as built (the code may have moved on since); built first when there is none
    m = manifest.read(artifact_dir(model_name(model), create=False))
    if not m.get("deploy") or not Path(m["deploy"]).is_file():
        m = prepare(model, "host", seed).manifest
    tflite = Path(m["deploy"])
    cfg, labels = frontend_of(m), m["labels"]
    keywords = [w for w in labels if w not in ("unknown", "silence")]
    args = manifest.data_config(m).get("args", {})
    if why := trained_on(voices, args):
        raise SystemExit(f"Error: --voices {voices}: {why} (train a copy with {voices} = 0)")
    spoken = speech.spoken_forms(keywords, args.get("phonemes") or {})
    flat = {w for k in keywords for w in k.split()}
    others = [w for w in heldout.OTHER_WORDS + speech.KEYWORDS if w not in keywords and w not in flat]
    rows, pcm = [], []
    for voice, speed, say in voice_set(voices):
        for word in keywords + others:
            text = spoken[word] if word in spoken and voices == "validation" else word
            pcm.append(heldout.centred(say(text), cfg.clip_samples))
            rows.append({"voice": voice, "speed": speed, "word": word, "keyword": word in keywords})
    qin, _ = io_quant(tflite.read_bytes())
    out = tflm_outputs(tflite, qin.quantize(to_float(features(np.stack(pcm), cfg))), m["arena_bytes"])
    _, qout = io_quant(tflite.read_bytes())
    for r, o in zip(rows, out):
        r["heard"] = labels[int(np.argmax(o))]
        r["posterior"] = round(float(qout.dequantize(o.max())), 4)
    kw = [r for r in rows if r["keyword"]]
    other = [r for r in rows if not r["keyword"]]
    per_voice = {}
    for v in dict.fromkeys(r["voice"] for r in rows):
        k = [r for r in kw if r["voice"] == v]
        o = [r for r in other if r["voice"] == v]
        per_voice[v] = {"recognised": sum(r["heard"] == r["word"] for r in k), "keywords": len(k),
                        "false_accepts": sum(r["heard"] in keywords for r in o), "others": len(o)}
    test_split = next((a["accuracy"] for a in m.get("artifacts", []) if a["name"] == "int8"), None)
    sure = [r for r in rows if r["posterior"] >= CONFIDENT]
    return {"model": model, "voices": voices, "date": date.today().isoformat(), "test_split_int8": test_split,
            "recognised": sum(r["heard"] == r["word"] for r in kw), "keywords": len(kw),
            "false_accepts": sum(r["heard"] in keywords for r in other), "others": len(other),
            "confident": CONFIDENT, "recognised_confident": sum(r["heard"] == r["word"] for r in sure if r["keyword"]),
            "false_accepts_confident": sum(r["heard"] in keywords for r in sure if not r["keyword"]),
            "per_voice": per_voice, "clips": rows}


RECORDING_SPEEDS = (0.9, 1.1)


def write_recordings(voice: str, out: Path) -> None:
    import wave

    from toolchain.recipes.data import heldout, speech

    for word in speech.KEYWORDS:
        (out / word).mkdir(parents=True, exist_ok=True)
        for speed in RECORDING_SPEEDS:
            with wave.open(str(out / word / f"{voice}-{speed}.wav"), "wb") as w:
                w.setnchannels(1), w.setsampwidth(2), w.setframerate(heldout.RATE)
                w.writeframes(heldout.centred(heldout.speak(word, voice, speed)).astype("<i2").tobytes())
    print(f"wrote {len(speech.KEYWORDS) * len(RECORDING_SPEEDS)} recordings of {voice} under {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="keywords")
    ap.add_argument("--voices", choices=("heldout", "validation", "piper", "gnuspeech"), default="heldout")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--docs", action="store_true", help="write the per-voice table into docs/keywords.md")
    ap.add_argument("--recordings-of", metavar="VOICE", help="write 20 recordings of this Flite voice to --out")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.recordings_of:
        return write_recordings(a.recordings_of, a.out or Path("recordings"))
    os.chdir(REPO)
    r = evaluate(a.model, a.voices, a.seed)
    from toolchain.paths import build_root

    name = Path(a.model).name
    out = build_root() / name / "host" / f"heldout-{a.voices}.json"
    out.write_text(json.dumps(r, indent=1))
    print(f"{name} on {a.voices} voices: keywords recognised {r['recognised']}/{r['keywords']} "
          f"({100 * r['recognised'] / r['keywords']:.1f} %), other words taken for a keyword "
          f"{r['false_accepts']}/{r['others']} ({100 * r['false_accepts'] / r['others']:.1f} %); at posterior >= "
          f"{CONFIDENT}: {r['recognised_confident']}/{r['keywords']} and {r['false_accepts_confident']}/{r['others']}; "
          f"int8 on its own test split {r['test_split_int8']}  -> {out}")
    if a.docs:
        import subprocess

        flite = next((line.split("version:")[1].split("(")[0].strip() for line in subprocess.run(
            ["flite", "--version"], capture_output=True, text=True).stdout.splitlines() if "version:" in line), "flite")
        lines = [BEGIN, f"{name}, per Flite voice. Measured {r['date']} on: {machine(('espeak-ng',))}; {flite}.", "",
                 "| voice | keywords recognised | other words taken for a keyword |", "|---|---|---|"]
        lines += [f"| {v} | {s['recognised']}/{s['keywords']} | {s['false_accepts']}/{s['others']} |"
                  for v, s in r["per_voice"].items()]
        lines += [f"| **all** | **{r['recognised']}/{r['keywords']} ({100 * r['recognised'] / r['keywords']:.1f} %)** | "
                  f"**{r['false_accepts']}/{r['others']} ({100 * r['false_accepts'] / r['others']:.1f} %)** |", "",
                  "```", f"python scripts/heldout_keywords.py --model {a.model} --voices {a.voices} --docs", "```", END]
        replace_section(REPO / "docs" / "keywords.md", BEGIN, END, lines)


if __name__ == "__main__":
    main()
