"""A long generated recording for streaming detection: keywords at known
times, unknown words and pauses between them, over background noise whose
kind and level change every few seconds. Same seed, same bytes; cached under
<build>/cache/speech/."""

import hashlib
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.recipes.data import speech

SEGMENT_S = 8.0  # the background changes this often


def generate(seed: int, minutes: float) -> tuple[np.ndarray, list[dict]]:
    """(int16 pcm, events): each keyword event has label, start_s and end_s."""
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
        word = (speech.KEYWORDS[rng.integers(len(speech.KEYWORDS))] if keyword
                else speech.UNKNOWN_WORDS[rng.integers(len(speech.UNKNOWN_WORDS))])
        variant = speech.VARIANTS[rng.integers(len(speech.VARIANTS))]
        voice = speech.VOICES[rng.integers(len(speech.VOICES))] + (f"+{variant}" if variant else "")
        s = speech.resample(speech.speak(word, voice, int(rng.integers(110, 230)), int(rng.integers(15, 90))))
        s = s[:int(0.9 * speech.RATE)] * 10 ** rng.uniform(-1.0, -0.2) / (np.max(np.abs(s)) + 1e-12)
        if t + len(s) + speech.RATE > n:
            break
        x[t:t + len(s)] += s
        if keyword:
            events.append({"label": word, "start_s": t / speech.RATE, "end_s": (t + len(s)) / speech.RATE})
        t += len(s) + int(rng.uniform(0.8, 2.5) * speech.RATE)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16), events


def recording(seed: int, minutes: float = 5.0) -> tuple[np.ndarray, list[dict]]:
    """The recording for (seed, minutes), generated once and then read from the cache."""
    import json

    key = hashlib.sha256(Path(__file__).read_bytes() + Path(speech.__file__).read_bytes()
                         + speech.espeak_version().encode() + f"{seed}/{minutes}".encode()).hexdigest()[:16]
    p = paths.build_root() / "cache" / "speech" / f"stream-{key}.npz"
    if p.is_file():
        with np.load(p) as f:
            return f["pcm"], json.loads(str(f["events"]))
    pcm, events = generate(seed, minutes)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp.npz")
    np.savez(tmp, pcm=pcm, events=json.dumps(events))
    tmp.replace(p)
    return pcm, events
