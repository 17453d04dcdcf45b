"""Spoken keywords made offline with espeak-ng: 1 s clips of 16 kHz int16 for
yes, no, up, down, left, right, on, off, stop, go, "unknown" (other words) and
"silence" (noise only). Each clip draws its voice and variant, speed, pitch,
amplitude, time shift and background noise (kind and SNR) from a generator
seeded by (seed, class, index), so the same seed gives the same bytes.
Clips are cached under <build>/cache/speech/; features come from the
fixed-point front-end (toolchain.audio), the same C the device runs."""

import hashlib
import io
import shutil
import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.audio import FrontendConfig, features, to_float
from toolchain.console import console
from toolchain.recipes.data.dataset import DataError

KEYWORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
LABELS = list(KEYWORDS) + ["unknown", "silence"]
UNKNOWN_WORDS = ("bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow", "zero", "one",
                 "two", "three", "four", "five", "six", "seven", "eight", "nine", "learn", "follow", "forward",
                 "backward", "visual", "yellow", "under", "bottle", "music")
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc")
VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3")
SNR_DB = (10, 15, 20, 30)
PARTIAL_SHARE = 0.3  # of the "unknown" clips
NOISES = ("white", "pink", "brown", "hum")
RATE = 16000
CLIP = RATE  # samples in one 1 s clip
ESPEAK_RATE = 22050


def espeak_version() -> str:
    if not shutil.which("espeak-ng"):
        raise DataError("espeak-ng is not installed: the speech loader synthesises its words with it",
                        "install it (Debian: apt-get install espeak-ng), or use the wav_folder loader with recordings")
    return subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.strip()


def speak(word: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    """espeak-ng's 22.05 kHz speech of `word` as float in [-1, 1], silence trimmed."""
    r = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", word],
                       capture_output=True, check=True)
    # espeak-ng streams its WAV: the header's sizes are placeholders, the samples follow the 44-byte header
    with wave.open(io.BytesIO(r.stdout[:44])) as w:
        if w.getframerate() != ESPEAK_RATE or w.getsampwidth() != 2:
            raise DataError(f"espeak-ng wrote {w.getframerate()} Hz / {8 * w.getsampwidth()}-bit audio, "
                            f"expected {ESPEAK_RATE} Hz / 16-bit")
    x = np.frombuffer(r.stdout[44:len(r.stdout) // 2 * 2], dtype="<i2").astype(np.float64) / 32768
    loud = np.flatnonzero(np.abs(x) > 0.003 * np.max(np.abs(x), initial=1e-9))  # keep soft final consonants
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def resample(x: np.ndarray) -> np.ndarray:
    from scipy.signal import resample_poly

    return resample_poly(x, 320, 441)  # 22050 Hz -> 16000 Hz


def noise(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    """Unit-RMS background noise."""
    if kind == "hum":
        t = np.arange(n) / RATE
        f0 = rng.choice((50.0, 60.0))
        x = sum(rng.uniform(0.2, 1) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.3)) for h in range(1, 8))
        x = x + 0.3 * rng.normal(size=n)
    else:
        spectrum = np.fft.rfft(rng.normal(size=n))
        f = np.maximum(np.arange(len(spectrum)), 1)
        spectrum = spectrum / {"white": 1, "pink": np.sqrt(f), "brown": f}[kind]
        x = np.fft.irfft(spectrum, n)
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def clip(seed: int, label: int, index: int) -> np.ndarray:
    """One int16 clip of class LABELS[label], fully determined by (seed, label, index)."""
    rng = np.random.default_rng([seed, label, index])
    kind = NOISES[rng.integers(len(NOISES))]
    if LABELS[label] == "silence":
        level = 10 ** rng.uniform(-4, -1.3)  # from near-silent to loud noise
        x = level * noise(rng, kind, CLIP)
    else:
        # a fraction of "unknown" is a keyword cut by the clip's edge, as a streaming window sees it
        partial = label == LABELS.index("unknown") and rng.random() < PARTIAL_SHARE
        if label < len(KEYWORDS) or partial:
            word = KEYWORDS[label if not partial else rng.integers(len(KEYWORDS))]
        else:
            word = UNKNOWN_WORDS[rng.integers(len(UNKNOWN_WORDS))]
        variant = VARIANTS[rng.integers(len(VARIANTS))]
        voice = VOICES[rng.integers(len(VOICES))] + (f"+{variant}" if variant else "")
        speech = resample(speak(word, voice, int(rng.integers(110, 230)), int(rng.integers(15, 90))))[:CLIP - 800]
        speech *= 10 ** rng.uniform(-1.3, -0.1) / (np.max(np.abs(speech)) + 1e-12)  # peak at -26..-2 dBFS
        x = np.zeros(CLIP)
        if partial:  # its first 20-50 % at the clip's end, or its last 20-50 % at the start
            k = max(1, int(len(speech) * rng.uniform(0.2, 0.5)))
            head = rng.random() < 0.5
            speech = speech[:k] if head else speech[-k:]
            start = CLIP - k if head else 0
        else:
            start = int(rng.integers(0, CLIP - len(speech) + 1))
        x[start:start + len(speech)] = speech
        rms = np.sqrt(np.mean(speech ** 2))
        x += rms / 10 ** (SNR_DB[rng.integers(len(SNR_DB))] / 20) * noise(rng, kind, CLIP)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def counts(clips_per_class: int, unknown_factor: int) -> list[int]:
    """Clips per class: "unknown" stands for every other word, so it may get several times more."""
    return [clips_per_class * (unknown_factor if label == "unknown" else 1) for label in LABELS]


def generate(seed: int, clips_per_class: int, unknown_factor: int = 1, workers: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(pcm (n, 16000) int16, labels (n,)) made anew, class after class."""
    espeak_version()
    jobs = [(label, i) for label, n in enumerate(counts(clips_per_class, unknown_factor)) for i in range(n)]
    with ThreadPoolExecutor(workers) as pool:  # espeak-ng runs as a subprocess: threads overlap them
        pcm = list(pool.map(lambda j: clip(seed, *j), jobs))
    return np.stack(pcm), np.array([j[0] for j in jobs], dtype=np.int64)


def cache_path(seed: int, clips_per_class: int, unknown_factor: int = 1) -> Path:
    key = hashlib.sha256(Path(__file__).read_bytes() + espeak_version().encode()
                         + f"{seed}/{clips_per_class}/{unknown_factor}".encode()).hexdigest()[:16]
    return paths.build_root() / "cache" / "speech" / f"speech-{clips_per_class}-{key}.npz"


def clips(seed: int, clips_per_class: int, unknown_factor: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The clips for (seed, clips_per_class, unknown_factor), generated once and then read from the cache."""
    if clips_per_class < 2:
        raise DataError(f"clips_per_class {clips_per_class} is too few", "use at least 2 (held-out split)")
    if not 1 <= unknown_factor <= 10:
        raise DataError(f"unknown_factor {unknown_factor} is out of range", "use 1 to 10")
    p = cache_path(seed, clips_per_class, unknown_factor)
    if p.is_file():
        with np.load(p) as f:
            return f["pcm"], f["y"]
    with console.status(f"synthesising {sum(counts(clips_per_class, unknown_factor))} speech clips with espeak-ng"):
        pcm, y = generate(seed, clips_per_class, unknown_factor)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp.npz")
    np.savez(tmp, pcm=pcm, y=y)
    tmp.replace(p)
    return pcm, y


def raw(seed: int, clips_per_class: int = 200, frontend: dict | None = None, unknown_factor: int = 1):
    """The int16 clips and labels `load` makes its features from."""
    return clips(seed, clips_per_class, unknown_factor)


def load(seed: int, clips_per_class: int = 200, frontend: dict | None = None, unknown_factor: int = 1):
    """Features of the generated clips: (x (n, frames, bands) float32, y, labels)."""
    cfg = FrontendConfig.of(frontend)
    pcm, y = clips(seed, clips_per_class, unknown_factor)
    return to_float(features(pcm, cfg)), y, list(LABELS)
