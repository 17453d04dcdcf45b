"""Data folders for on-device personalization (docs/personalize.md, "Worked cases"), in the layout
`toolchain personalize --data FOLDER` reads: FOLDER/<label>/<files>, `.wav` (16 kHz mono 16-bit) for the
keywords model, `.npy` (one float32 window as the recipe's loader yields it) for gesture. Every file is a
function of the case, its variant and --seed; folders go to build/cache/personalize/<case>-<variant>/.

    python scripts/personalize_data.py speaker [--voice awb]          # keywords, a new speaker
    python scripts/personalize_data.py new-class [--word marvin] [--voice awb]
    python scripts/personalize_data.py rotated [--rotation z90x30]     # gesture, a re-mounted sensor
    python scripts/personalize_data.py validation                      # every validation folder

speaker: one CMU Flite voice (the keywords recipe never trains on Flite) saying the 10 keywords, "unknown"
(toolchain.recipes.data.heldout's OTHER_WORDS, none a training word) and "silence" (background alone),
--per-class clips each: Flite's duration stretch 0.8-1.3, pitch and tempo within 5 %, peak -26..-2 dBFS, a
random place in the 1 s clip and the recipe's backgrounds at 10-30 dB SNR.
new-class: --word said --per-class times, half by espeak-ng voices and variants the recipe trains on (new
clips: a seed the recipe never uses) and half by the Flite voice, plus the 12 old classes from espeak-ng's
validation voices (toolchain.recipes.data.speech's VALIDATION_VOICES, never trained on) to see what the old
classes lose.
rotated: every BasicMotions window (both of the recipe's splits) with its accelerometer (channels 0-2) and
gyroscope (channels 3-5) turned by one rotation, e.g. z90x30 = 90 degrees about z, then 30 about x.
validation: the folders the defaults were chosen on (docs/personalize.md): the other three Flite voices as
new speakers, the words "sheila" (a training "unknown" word) and "robot" (never heard) as new classes, and
five seeded random rotations. The evaluation folders above are measured once, never tuned on.
"""

import argparse
import shutil
import sys
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
EVAL_VOICE = "awb"  # chosen before any result: a Scottish male voice, an accent the espeak-ng voices lack
VALIDATION_FLITE = ("kal16", "rms", "slt")
EVAL_WORD = "marvin"
VALIDATION_WORDS = ("sheila", "robot")
EVAL_ROTATION = "z90x30"  # a quarter turn about the sensor's normal, tilted 30 degrees
VALIDATION_ROTATIONS = 5
PER_CLASS = 20  # 5 shots + 15 held back
RATE = 16000


def write_wav(path: Path, pcm: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
        w.writeframes(pcm.astype("<i2").tobytes())


def placed(rng: np.random.Generator, speech: np.ndarray) -> np.ndarray:
    """int16 1 s clip: `speech` at a random place and level over one of the recipe's backgrounds."""
    from toolchain.recipes.data.augment import NOISES, noise

    speech = speech[:RATE - 800] * 10 ** rng.uniform(-1.3, -0.1) / (np.max(np.abs(speech)) + 1e-12)
    x = np.zeros(RATE)
    start = int(rng.integers(0, RATE - len(speech) + 1))
    x[start:start + len(speech)] = speech
    rms = np.sqrt(np.mean(speech ** 2))
    x += rms / 10 ** (rng.uniform(10, 30) / 20) * noise(rng, NOISES[rng.integers(len(NOISES))], RATE)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def silence(rng: np.random.Generator) -> np.ndarray:
    from toolchain.recipes.data.augment import NOISES, noise

    x = 10 ** rng.uniform(-4, -1.3) * noise(rng, NOISES[rng.integers(len(NOISES))], RATE)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def flite_clip(rng: np.random.Generator, text: str, voice: str) -> np.ndarray:
    from scipy.signal import resample_poly

    from toolchain.recipes.data import heldout

    speech = heldout.speak(text, voice, float(rng.uniform(0.8, 1.3)))
    up = int(rng.integers(19, 22))  # pitch and tempo within 5 %: the same speaker, another day
    return placed(rng, resample_poly(speech, 20, up))


def espeak_clip(rng: np.random.Generator, text: str, voices: tuple[str, ...]) -> np.ndarray:
    """`text` in one of `voices` at a random speed and pitch, as the recipe's clips are made."""
    from toolchain.recipes.data import speech

    said = speech.speak(text, voices[rng.integers(len(voices))], int(rng.integers(110, 230)), int(rng.integers(15, 90)))
    return placed(rng, speech.resample(said))


def fresh(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    return out


def speaker(out: Path, voice: str, per_class: int, seed: int) -> None:
    from toolchain.recipes.data import heldout, speech

    fresh(out)
    for k, label in enumerate(speech.KEYWORDS + speech.NOT_KEYWORDS):
        for i in range(per_class):
            rng = np.random.default_rng([seed, 2612, k, i])
            if label == "silence":
                pcm = silence(rng)
            else:
                text = label if label != "unknown" else heldout.OTHER_WORDS[rng.integers(len(heldout.OTHER_WORDS))]
                pcm = flite_clip(rng, text, voice)
            write_wav(out / label / f"{voice}-{i:03d}.wav", pcm)
    print(f"wrote {12 * per_class} clips of Flite voice {voice} under {out}")


def new_class(out: Path, word: str, voice: str, per_class: int, seed: int) -> None:
    from toolchain.recipes.data import heldout, speech

    fresh(out)
    trained = speech.Words().voice_list  # the default recipe's voices and variants
    for i in range(per_class):
        rng = np.random.default_rng([seed, 2613, i])
        by_flite = i % 2 == 1
        pcm = flite_clip(rng, word, voice) if by_flite else espeak_clip(rng, word, trained)
        write_wav(out / word / f"{'flite' if by_flite else 'espeak'}-{i:03d}.wav", pcm)
    for k, label in enumerate(speech.KEYWORDS + speech.NOT_KEYWORDS):
        for i in range(per_class // 2):
            rng = np.random.default_rng([seed, 2614, k, i])
            if label == "silence":
                pcm = silence(rng)
            else:
                text = label if label != "unknown" else heldout.OTHER_WORDS[rng.integers(len(heldout.OTHER_WORDS))]
                pcm = espeak_clip(rng, text, speech.VALIDATION_VOICES)
            write_wav(out / label / f"espeak-{i:03d}.wav", pcm)
    print(f"wrote {per_class} clips of '{word}' and {12 * (per_class // 2)} of the old classes under {out}")


def rotation(spec: str) -> np.ndarray:
    """3x3 matrix of `spec`: axis letters and degrees applied in order (z90x30), or 'random<seed>'."""
    import re

    from scipy.spatial.transform import Rotation

    if spec.startswith("random"):
        return Rotation.random(random_state=int(spec[6:])).as_matrix()
    parts = re.findall(r"([xyz])(-?\d+(?:\.\d+)?)", spec)
    if not parts or "".join(a + d for a, d in parts) != spec:
        raise SystemExit(f"rotation '{spec}' is not axis-degree pairs: write e.g. z90x30, or random<seed>")
    r = Rotation.identity()
    for axis, deg in parts:
        r = Rotation.from_euler(axis, float(deg), degrees=True) * r
    return r.as_matrix()


def rotated(out: Path, spec: str) -> None:
    from toolchain.recipes.data import motions

    x, y, labels = motions.load(0)
    r = rotation(spec).astype(np.float32)
    fresh(out)
    for i, (window, k) in enumerate(zip(x, y)):
        turned = np.concatenate([window[:, :3] @ r.T, window[:, 3:] @ r.T], axis=1).astype(np.float32)
        (out / labels[k]).mkdir(exist_ok=True)
        np.save(out / labels[k] / f"window-{i:03d}.npy", turned)
    print(f"wrote {len(x)} windows turned by {spec} under {out}")


def root() -> Path:
    from toolchain.paths import build_root

    return build_root() / "cache" / "personalize"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", choices=("speaker", "new-class", "rotated", "validation"))
    ap.add_argument("--voice", default=EVAL_VOICE)
    ap.add_argument("--word", default=EVAL_WORD)
    ap.add_argument("--rotation", default=EVAL_ROTATION)
    ap.add_argument("--per-class", type=int, default=PER_CLASS)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    base = root()
    if a.case == "speaker":
        speaker(base / f"speaker-{a.voice}", a.voice, a.per_class, a.seed)
    elif a.case == "new-class":
        new_class(base / f"new-class-{a.word}", a.word, a.voice, a.per_class, a.seed)
    elif a.case == "rotated":
        rotated(base / f"rotated-{a.rotation}", a.rotation)
    else:
        for v in VALIDATION_FLITE:
            speaker(base / f"speaker-{v}", v, a.per_class, a.seed + 1)
        for w, v in zip(VALIDATION_WORDS, VALIDATION_FLITE):
            new_class(base / f"new-class-{w}", w, v, a.per_class, a.seed + 1)
        for s in range(VALIDATION_ROTATIONS):
            rotated(base / f"rotated-random{s}", f"random{s}")


if __name__ == "__main__":
    main()
