"""The espeak-ng keyword generator: deterministic bytes, the cache, the classes."""

import numpy as np
import pytest

from toolchain.recipes.data import speech

pytestmark = pytest.mark.skipif(not speech.shutil.which("espeak-ng"), reason="espeak-ng is not installed (setup.sh installs it)")


def test_same_seed_same_bytes_other_seed_other_bytes():
    a, ya = speech.generate(3, 2)
    b, yb = speech.generate(3, 2)
    c, _ = speech.generate(4, 2)
    assert a.dtype == np.int16 and a.shape == (2 * len(speech.LABELS), 16000)
    assert a.tobytes() == b.tobytes() and (ya == yb).all()
    assert a.tobytes() != c.tobytes()


def test_words_are_loud_and_silence_is_noise_only():
    pcm, y = speech.generate(0, 2)
    blocks = (pcm.astype(float) ** 2).reshape(len(pcm), 10, -1).mean(axis=2)  # energy per 100 ms
    contrast = blocks.max(axis=1) / np.maximum(np.median(blocks, axis=1), 1e-9)
    words, silence = y < len(speech.KEYWORDS), y == speech.LABELS.index("silence")
    # a word stands out of its background; stationary noise alone does not
    assert np.min(contrast[words]) > 3 and np.max(contrast[silence]) < 2


def test_clips_are_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    pcm, y = speech.clips(1, 2)
    assert speech.cache_path(1, 2).is_file()
    monkeypatch.setattr(speech, "generate", lambda *a: pytest.fail("the cache was not used"))
    again, _ = speech.clips(1, 2)
    assert again.tobytes() == pcm.tobytes()


def test_loader_gives_front_end_features(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    x, y, labels = speech.load(0, clips_per_class=2, frontend={"mel_bands": 32})
    assert x.shape == (24, 49, 32) and labels[-2:] == ["unknown", "silence"]
    assert x.min() >= -4 and x.max() < 4 and (x * 32 == np.round(x * 32)).all()
