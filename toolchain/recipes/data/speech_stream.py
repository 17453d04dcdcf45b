"""A long generated recording for streaming detection: keywords at known
times, other words and pauses between them, over background noise whose
kind and level change every few seconds. The speech is espeak-ng's training
voices, or ("heldout") CMU Flite's voices, which no recipe trains on, saying
other words no recipe trains on either, or ("validation") espeak-ng's
validation voices saying those words, to choose the detector's settings on
before Flite is measured, or ("piper", "gnuspeech") one training
synthesizer's cached renders of those words: a leave-one-synthesizer-out
recording, held out only for a model that did not train on that synthesizer
(trained_on). Same arguments, same bytes; cached under <build>/cache/speech/."""

import hashlib
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.console import console
from toolchain.recipes.data import gnuspeech_voice, heldout, npz_cache, piper_voice, speech
from toolchain.recipes.data.dataset import DataError

SEGMENT_S = 8.0  # the background changes this often
SYNTHESIZERS = ("piper", "gnuspeech")  # training synthesizers whose renders can voice a recording
VOICES = ("espeak", "heldout", "validation", *SYNTHESIZERS)


def trained_on(voices: str, data_args: dict) -> str | None:
    """Why a recording in `voices` is not held out for a model trained with `data_args`, or None when it is."""
    if voices in SYNTHESIZERS and data_args.get(voices):
        return (f"the model trained on {voices}'s renders ({voices} = {data_args[voices]}), so a {voices} recording "
                f"is not held out for it")
    return None


def renders(texts: list[str], voices: str) -> dict[str, list[np.ndarray]]:
    """Each text's cached renders by synthesizer `voices` (made once, shared with the training clips)."""
    if voices == "piper":
        piper_voice.check()
        with console.status(f"Piper renders of {len(texts)} words (once, then cached per word)"):
            return {t: piper_voice.bank(t) for t in texts}
    gnuspeech_voice.check()
    if lacking := sorted(set(texts) - set(gnuspeech_voice.words(texts))):
        raise DataError(f"GnuSpeech's dictionary lacks {', '.join(repr(t) for t in lacking)}: it cannot voice the "
                        "recording", "use --voices validation or piper for these words")
    with console.status(f"GnuSpeech renders of {len(texts)} words (once, then cached per word)"):
        return gnuspeech_voice.banks(texts)


def say(rng: np.random.Generator, text: str, voices: str, banks: dict | None = None) -> np.ndarray:
    """`text` at 16 kHz in a random voice of set `voices`, at a random speed; `banks`: the synthesizer's renders
    (renders()) for "piper" and "gnuspeech"."""
    if voices in SYNTHESIZERS:
        return banks[text][rng.integers(len(banks[text]))]
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
    banks = renders(list(dict.fromkeys((*keywords, *others))), voices) if voices in SYNTHESIZERS else None
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
        s = say(rng, word if voices in ("heldout", *SYNTHESIZERS) else spoken.get(word, word), voices, banks)
        s = s[:int(0.9 * speech.RATE)] * 10 ** rng.uniform(-1.0, -0.2) / (np.max(np.abs(s)) + 1e-12)
        if t + len(s) + speech.RATE > n:
            break
        x[t:t + len(s)] += s
        if keyword:
            events.append({"label": word, "start_s": t / speech.RATE, "end_s": (t + len(s)) / speech.RATE})
        t += len(s) + int(rng.uniform(0.8, 2.5) * speech.RATE)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16), events


def synthesizer_key(voices: str) -> bytes:
    """What a piper or gnuspeech recording's renders depend on (their own caches are keyed by the same)."""
    if voices not in SYNTHESIZERS:
        return b""
    module = piper_voice if voices == "piper" else gnuspeech_voice
    return module.VERSION.encode() + Path(module.__file__).read_bytes()


def recording(seed: int, minutes: float = 5.0, keywords: tuple[str, ...] = speech.KEYWORDS, voices: str = "espeak",
              spoken: dict | None = None) -> tuple[np.ndarray, list[dict]]:
    """The recording for these arguments, generated once and then read from the cache."""
    import json

    if voices == "heldout":
        heldout.check()
    args = json.dumps([seed, minutes, list(keywords), voices, spoken or {}])
    key = hashlib.sha256(Path(__file__).read_bytes() + Path(speech.__file__).read_bytes()
                         + Path(heldout.__file__).read_bytes() + speech.espeak_version().encode()
                         + synthesizer_key(voices) + args.encode()).hexdigest()[:16]
    p = paths.build_root() / "cache" / "speech" / f"stream-{key}.npz"
    if p.is_file():
        with np.load(p) as f:
            return f["pcm"], json.loads(str(f["events"]))
    pcm, events = generate(seed, minutes, tuple(keywords), voices, spoken)
    npz_cache.save(p, pcm=pcm, events=json.dumps(events))
    return pcm, events
