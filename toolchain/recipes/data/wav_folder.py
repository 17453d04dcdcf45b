"""A user's own recordings in the Speech Commands layout: one folder per label
holding mono 16-bit WAV files at the front-end's sample rate. Each clip is cut
or zero-padded to the front-end's clip length (1 s by default). The folder
names are the labels; `_background_noise_` (Speech Commands' long noise
recordings) is skipped."""

import wave
from pathlib import Path

import numpy as np

from toolchain.audio import FrontendConfig, features, to_float
from toolchain.recipes.data.dataset import DataError

SKIP = ("_background_noise_",)


def read_wav(path: Path, rate: int) -> np.ndarray:
    """int16 samples of a mono 16-bit PCM WAV at `rate`; DataError naming the file otherwise."""
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, fr, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            frames = w.readframes(n)
    except (wave.Error, EOFError) as e:
        raise DataError(f"{path}: not a readable WAV file ({e})", "re-export it as 16-bit PCM WAV") from None
    if channels != 1:
        raise DataError(f"{path}: {channels} channels, the front-end takes mono",
                        "convert it, e.g. sox in.wav -c 1 out.wav")
    if width != 2:
        raise DataError(f"{path}: {8 * width}-bit samples, the front-end takes 16-bit PCM",
                        "convert it, e.g. sox in.wav -b 16 out.wav")
    if fr != rate:
        raise DataError(f"{path}: sample rate {fr} Hz, the front-end runs at {rate} Hz",
                        f"resample it, e.g. sox in.wav -r {rate} out.wav")
    if len(frames) < 2 * n:
        raise DataError(f"{path}: truncated: the header announces {n} samples, the file holds {len(frames) // 2}",
                        "re-export the recording")
    return np.frombuffer(frames, dtype="<i2")


def clips(path: str | Path, samples: int, rate: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(pcm (n, samples) int16, y, labels) of every WAV below `path`, labels sorted by name."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"recordings folder '{root}' not found", "set [data.args] path to a folder of label folders")
    folders = sorted(d for d in root.iterdir() if d.is_dir() and d.name not in SKIP)
    labels = [d.name for d in folders if any(d.glob("*.wav"))]
    if len(labels) < 2:
        raise DataError(f"'{root}' needs at least two label folders holding .wav files, found {len(labels)}",
                        "lay it out as <path>/<label>/<clip>.wav (the Speech Commands layout)")
    pcm, y = [], []
    for k, label in enumerate(labels):
        for f in sorted((root / label).glob("*.wav")):
            x = read_wav(f, rate)[:samples]
            pcm.append(np.pad(x, (0, samples - len(x))))
            y.append(k)
    return np.stack(pcm).astype(np.int16), np.array(y, dtype=np.int64), labels


def raw(seed: int, path: str, frontend: dict | None = None, base_dir: Path | None = None):
    """The int16 clips and labels `load` makes its features from."""
    cfg = FrontendConfig.of(frontend)
    return clips(Path(base_dir or ".") / path, cfg.clip_samples, cfg.sample_rate)[:2]


def load(seed: int, path: str, frontend: dict | None = None, base_dir: Path | None = None):
    """Features of the recordings: (x (n, frames, bands) float32, y, labels); `path` is relative to the
    recipe folder (`base_dir`)."""
    cfg = FrontendConfig.of(frontend)
    pcm, y, labels = clips(Path(base_dir or ".") / path, cfg.clip_samples, cfg.sample_rate)
    return to_float(features(pcm, cfg)), y, labels
