"""The held-out synthesizer: CMU Flite's four 16 kHz voices. Never trained on
(Festival shares its speakers, so it stays out too): the keywords recipe is
chosen and tuned on voices of its own synthesizers, and Flite only measures
what a change did on voices the network never heard."""

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from toolchain.recipes.data.dataset import DataError

VOICES = ("kal16", "awb", "rms", "slt")
SPEEDS = (0.8, 1.0, 1.25)  # Flite's duration_stretch: fast, normal, slow
# Fixed before any result was seen; none is a training "unknown" word. The first eight sound like keywords.
OTHER_WORDS = ("yet", "note", "cup", "town", "lift", "night", "top", "goal",
               "apple", "window", "table", "river", "coffee", "paper", "morning", "open",
               "dinner", "water", "garden", "purple", "monkey", "pencil", "hello", "thanks")
RATE = 16000


def check() -> None:
    if not shutil.which("flite"):
        raise DataError("flite is not installed: the held-out voices are CMU Flite's",
                        "install it (Debian: apt-get install flite)")


def speak(text: str, voice: str, stretch: float = 1.0, pitch: float | None = None) -> np.ndarray:
    """Flite's 16 kHz speech of `text` as float in [-1, 1], silence trimmed. `pitch`: mean F0 in Hz."""
    check()
    if voice not in VOICES:
        raise DataError(f"Flite voice '{voice}' is not one of the 16 kHz voices", f"use one of: {', '.join(VOICES)}")
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "x.wav"
        cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}"]
        if pitch:
            cmd += ["--setf", f"int_f0_target_mean={pitch}"]
        subprocess.run(cmd + ["-t", text, "-o", str(out)], capture_output=True, check=True)
        with wave.open(str(out)) as w:
            if w.getframerate() != RATE or w.getsampwidth() != 2:
                raise DataError(f"flite wrote {w.getframerate()} Hz / {8 * w.getsampwidth()}-bit audio",
                                f"expected {RATE} Hz / 16-bit: use one of the voices {', '.join(VOICES)}")
            x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
    loud = np.flatnonzero(np.abs(x) > 0.003 * np.max(np.abs(x), initial=1e-9))
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def centred(speech: np.ndarray, samples: int = RATE, peak_db: float = -10.0) -> np.ndarray:
    """int16 clip of `samples` with `speech` in its middle, peaking at `peak_db` dBFS."""
    s = speech[:samples] * 10 ** (peak_db / 20) / (np.max(np.abs(speech)) + 1e-12)
    x = np.zeros(samples)
    start = (samples - len(s)) // 2
    x[start:start + len(s)] = s
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)
