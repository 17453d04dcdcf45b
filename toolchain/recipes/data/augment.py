"""Ways one synthetic voice is made to sound like many speakers in many places,
in NumPy/SciPy: each takes a seeded generator, so a clip stays a function of
its seed. Speaker (vocal-tract length, pitch and tempo), room (a simulated
impulse response), background (noise and music at a random SNR) and
microphone (gain and band limits)."""

import numpy as np
from scipy.signal import butter, fftconvolve, istft, resample_poly, sosfilt, stft

RATE = 16000
NOISES = ("white", "pink", "brown", "hum")


def noise(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    """Unit-RMS background: coloured noise, mains hum, or music (a random chord sequence)."""
    if kind == "music":
        return music(rng, n)
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


def music(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-RMS notes of a few harmonic voices, each note with its own attack and decay: tonal, changing
    every 150-600 ms, the way music behind speech does."""
    x = np.zeros(n)
    t0 = 0
    while t0 < n:
        length = min(n - t0, int(rng.uniform(0.15, 0.6) * RATE))
        t = np.arange(length) / RATE
        env = np.minimum(t / 0.01, 1) * np.exp(-t * rng.uniform(2, 10))
        for _ in range(rng.integers(1, 4)):
            f0 = 110 * 2 ** (rng.integers(0, 36) / 12)  # A2 and three octaves up, on the semitones
            x[t0:t0 + length] += env * sum(rng.uniform(0.1, 1) / h * np.sin(2 * np.pi * f0 * h * t)
                                           for h in range(1, 6) if f0 * h < RATE / 2)
        t0 += length
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def speaker(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Another speaker from the same voice: the spectrum warped by a vocal-tract length factor (formants
    move, pitch stays), then resampled by a second factor (pitch, formants and tempo move together)."""
    alpha = rng.uniform(0.85, 1.18)
    f, _, z = stft(x, RATE, nperseg=512, noverlap=384)
    src = np.arange(len(f)) / alpha  # bin k takes the content of frequency k / alpha
    lo = np.clip(src.astype(int), 0, len(f) - 1)
    hi = np.clip(lo + 1, 0, len(f) - 1)
    w = (src - lo)[:, None]
    warped = np.where((src < len(f) - 1)[:, None], (1 - w) * z[lo] + w * z[hi], 0)
    _, y = istft(warped, RATE, nperseg=512, noverlap=384)
    y = y[:len(x)]
    # speed perturbation: up/down in 1/20 steps, 0.85 to 1.15
    up = int(rng.integers(17, 24))
    return resample_poly(y, 20, up)


def room(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """`x` in a simulated room: a direct path, a few early reflections and an exponentially decaying diffuse
    tail (RT60 0.15-0.7 s), mixed at a random direct-to-reverberant ratio."""
    rt60 = rng.uniform(0.15, 0.7)
    n = int(rt60 * RATE)
    t = np.arange(n) / RATE
    h = rng.normal(size=n) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    h[:int(0.005 * RATE)] = 0
    for _ in range(rng.integers(2, 6)):  # early reflections 3-30 ms after the direct sound
        h[int(rng.uniform(0.003, 0.03) * RATE)] += rng.uniform(-0.6, 0.6) * np.sqrt(np.sum(h ** 2) / 40)
    h *= 10 ** (-rng.uniform(3, 15) / 20) / (np.sqrt(np.sum(h ** 2)) + 1e-12)  # direct-to-reverberant 3..15 dB
    h[0] = 1.0
    return fftconvolve(x, h)[:len(x) + n // 2]


def microphone(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """A cheap microphone and its amplifier: a high-pass (50-400 Hz), a low-pass (3.4-7.8 kHz), a tilt, and now
    and then soft clipping."""
    y = sosfilt(butter(2, rng.uniform(50, 400), "highpass", fs=RATE, output="sos"), x)
    y = sosfilt(butter(int(rng.integers(2, 7)), rng.uniform(3400, 7800), "lowpass", fs=RATE, output="sos"), y)
    tilt = rng.uniform(-0.5, 0.5)  # first-order tilt: + brightens, - dulls
    y = y + tilt * np.concatenate([[0], np.diff(y)]) * 3
    if rng.random() < 0.1:
        peak = np.max(np.abs(y)) + 1e-12
        y = np.tanh(y / peak * rng.uniform(1.5, 4)) * peak
    return y
