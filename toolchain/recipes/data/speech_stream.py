"""A long generated recording for streaming detection: keywords at known
times, other words and pauses between them, over background noise whose
kind and level change every few seconds. The speech is espeak-ng's training
voices, or ("heldout") CMU Flite's voices, which no recipe trains on, saying
other words no recipe trains on either, or ("validation") espeak-ng's
validation voices saying those words, to choose the detector's settings on
before Flite is measured. Same arguments, same bytes; cached under
<build>/cache/speech/."""

import hashlib
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.recipes.data import heldout, npz_cache, speech
from toolchain.recipes.data.dataset import DataError

SEGMENT_S = 8.0  # the background changes this often
VOICES = ("espeak", "heldout", "validation")


def say(rng: np.random.Generator, text: str, voices: str) -> np.ndarray:
    """`text` at 16 kHz in a random voice of set `voices`, at a random speed."""
    if voices == "heldout":
        return heldout.speak(text, heldout.VOICES[rng.integers(len(heldout.VOICES))], rng.uniform(0.8, 1.25))
    if voices == "validation":
        voice = speech.VALIDATION_VOICES[rng.integers(len(speech.VALIDATION_VOICES))]
    else:
        variant = speech.FEW_VARIANTS[rng.integers(len(speech.FEW_VARIANTS))]
        voice = speech.FEW_VOICES[rng.integers(len(speech.FEW_VOICES))] + (f"+{variant}" if variant else "")
    return speech.resample(speech.speak(text, voice, int(rng.integers(110, 230)), int(rng.integers(15, 90))))


def generate(seed: int, minutes: float, keywords: tuple[str, ...] = speech.KEYWORDS, voices: str = "espeak",
             spoken: dict | None = None) -> tuple[np.ndarray, list[dict]]:
    """(int16 pcm, events): each keyword event has label, start_s and end_s. `spoken`: what espeak-ng is given
    for a keyword (its phonemes), when not its text."""
    if voices not in VOICES:
        raise DataError(f"recording voices '{voices}' are not a voice set", f"use one of: {', '.join(VOICES)}")
    spoken = spoken or {}
    said = {w for k in keywords for w in k.split()}
    others = speech.UNKNOWN_WORDS if voices == "espeak" else heldout.OTHER_WORDS
    others = [w for w in others + (speech.KEYWORDS if tuple(keywords) != speech.KEYWORDS else ()) if w not in said]
    rng = np.random.default_rng([seed, 1_000_003])
    n = int(minutes * 60 * speech.RATE)
    x = np.zeros(n)
    for start in range(0, n, int(SEGMENT_S * speech.RATE)):
        seg = min(n - start, int(SEGMENT_S * speech.RATE))
        kind = speech.NOISES[rng.integers(len(speech.NOISES))]
        x[start:start + seg] = 10 ** rng.uniform(-3.3, -2.3) * speech.noise(rng, kind, seg)
    events, t = [], int(0.5 * speech.RATE)
    while True:
        roll = rng.random()
        if roll < 0.15:  # a pause
            t += int(rng.uniform(0.5, 2.0) * speech.RATE)
            continue
        keyword = roll < 0.75
        word = keywords[rng.integers(len(keywords))] if keyword else others[rng.integers(len(others))]
        s = say(rng, word if voices == "heldout" else spoken.get(word, word), voices)
        s = s[:int(0.9 * speech.RATE)] * 10 ** rng.uniform(-1.0, -0.2) / (np.max(np.abs(s)) + 1e-12)
        if t + len(s) + speech.RATE > n:
            break
        x[t:t + len(s)] += s
        if keyword:
            events.append({"label": word, "start_s": t / speech.RATE, "end_s": (t + len(s)) / speech.RATE})
        t += len(s) + int(rng.uniform(0.8, 2.5) * speech.RATE)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16), events


def recording(seed: int, minutes: float = 5.0, keywords: tuple[str, ...] = speech.KEYWORDS, voices: str = "espeak",
              spoken: dict | None = None) -> tuple[np.ndarray, list[dict]]:
    """The recording for these arguments, generated once and then read from the cache."""
    import json

    if voices == "heldout":
        heldout.check()
    args = json.dumps([seed, minutes, list(keywords), voices, spoken or {}])
    key = hashlib.sha256(Path(__file__).read_bytes() + Path(speech.__file__).read_bytes()
                         + Path(heldout.__file__).read_bytes() + speech.espeak_version().encode()
                         + args.encode()).hexdigest()[:16]
    p = paths.build_root() / "cache" / "speech" / f"stream-{key}.npz"
    if p.is_file():
        with np.load(p) as f:
            return f["pcm"], json.loads(str(f["events"]))
    pcm, events = generate(seed, minutes, tuple(keywords), voices, spoken)
    npz_cache.save(p, pcm=pcm, events=json.dumps(events))
    return pcm, events
