"""The fixed-point front-end, built for the host from firmware/frontend/, against
a float NumPy log-mel of the same definition (close, not equal), and its
settings and cache."""

import numpy as np
import pytest

from toolchain.audio import AudioError, FrontendConfig, features
from toolchain.audio.config import mel_layout
from toolchain.audio.host import library_path


def float_logmel(pcm: np.ndarray, cfg: FrontendConfig) -> np.ndarray:
    """The same definition in float64: Hann, |2 X|^2 / 64, triangular mel weights in units of 2^-15, 6 log2 - 236."""
    n = np.arange(cfg.window)
    hann = 0.5 * (1 - np.cos(2 * np.pi * n / cfg.window))
    segment, rise, first, last = mel_layout(cfg)
    weights = np.zeros((cfg.fft // 2 + 1, cfg.mel_bands))
    for k in range(first, last + 1):
        s, r = segment[k], rise[k]
        if s > 0:
            weights[k, s - 1] = 32768 - r
        if s < cfg.mel_bands:
            weights[k, s] = r
    out = []
    for f in range(cfg.frames):
        x = pcm[f * cfg.hop: f * cfg.hop + cfg.window].astype(np.float64) * hann
        power = np.abs(2 * np.fft.rfft(x, cfg.fft)) ** 2 / 64
        mel = power @ weights
        q = np.round(cfg.log_gain * np.log2(np.maximum(mel, 1e-30))) - cfg.log_offset
        out.append(np.clip(q, -128, 127))
    return np.array(out)


def signals():
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    chirp = 12000 * np.sin(2 * np.pi * (200 + 3000 * t) * t)
    speechy = rng.normal(size=16000) * 4000 * (np.sin(2 * np.pi * 3 * t) > 0)
    return np.stack([chirp, speechy, rng.normal(size=16000) * 300]).astype(np.int16)


@pytest.mark.parametrize("settings", [{}, {"mel_bands": 32, "window_ms": 25, "hop_ms": 10}])
def test_close_to_float_reference(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    cfg = FrontendConfig.of(settings)
    pcm = signals()
    q = features(pcm, cfg)
    assert q.shape == (3, cfg.frames, cfg.mel_bands) and q.dtype == np.int8
    ref = np.stack([float_logmel(x, cfg) for x in pcm])
    diff = np.abs(q.astype(int) - ref)
    loud = ref > -100  # far below that the fixed-point rounding noise floor dominates, by design
    assert np.mean(diff[loud] <= 1) > 0.99 and diff[loud].max() <= 6
    assert q.std() > 20  # not a constant


def test_full_scale_and_silence_map_to_the_int8_ends(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    t = np.arange(16000) / 16000
    tone = (32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    q = features(np.stack([tone, np.zeros(16000, np.int16)]), FrontendConfig())
    assert 80 <= q[0].max() <= 127 and (q[1] == -128).all()


def test_library_is_cached_by_source_and_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    a = library_path(FrontendConfig())
    assert a.is_file() and a.parent.parent == tmp_path / "cache" / "frontend"
    assert library_path(FrontendConfig()) == a
    assert library_path(FrontendConfig(mel_bands=20)) != a


@pytest.mark.parametrize("table, message", [
    ({"mel_band": 40}, "unknown front-end setting 'mel_band'"),
    ({"hop_ms": 40}, "hop_ms 40 must be in 1..window_ms"),
    ({"window_ms": 64}, "at most 512"),
    ({"sample_rate": 44100}, "sample_rate 44100 is not supported"),
])
def test_bad_settings_are_clear_errors(table, message):
    with pytest.raises(AudioError, match=message):
        FrontendConfig.of(table)
