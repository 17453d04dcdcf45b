"""Drift scenarios: the held-out split, shifted on its way into the device. Each shift works on the raw
(quantized) input values and is sized in units of the reference profile's per-channel standard deviation σ, so
one definition fits digits' pixels and gesture's IMU channels alike; values saturate at the input type's range
like a real sensor's ADC would.

| drift      | what a field device sees                    | shift                                   |
|------------|---------------------------------------------|-----------------------------------------|
| noise      | a noisy sensor or a louder room             | + Gaussian noise, 0.5 σ per value       |
| brightness | more light, a different camera exposure     | + 1 σ on every channel                  |
| rotate     | the camera or board mounted turned          | 2-D rotation of each sample by 30°      |
| offset     | a sensor axis with a bias (aged, knocked)   | + 1 σ on channel 0                      |
| gain       | a sensor with another sensitivity           | every value x 1.5 (about the real zero) |
"""

import numpy as np

from toolchain.monitor.errors import MonitorError

DRIFTS = ("noise", "brightness", "rotate", "offset", "gain")
NOISE_SIGMA, BRIGHTNESS_SIGMA, OFFSET_SIGMA = 0.5, 1.0, 1.0
ROTATE_DEGREES, GAIN = 30.0, 1.5


def check(drift: str | None, sample_shape: tuple[int, ...]) -> None:
    """Refuse an unknown drift, or a rotation of samples that are not images, before anything runs."""
    if drift is None:
        return
    if drift not in DRIFTS:
        raise MonitorError(f"unknown drift '{drift}'", f"use one of: {', '.join(DRIFTS)}")
    if drift == "rotate" and len(sample_shape) < 3:
        raise MonitorError(f"--drift rotate needs image inputs (height, width, channels); this model's samples are "
                           f"{tuple(sample_shape)}", "use noise, offset or gain for 1-D signals")


def shift(x: np.ndarray, drift: str | None, *, std: np.ndarray, zero_point: int, rng: np.random.Generator) -> np.ndarray:
    """`x` (n, *sample shape) raw inputs shifted by `drift`; `std`: the reference's raw σ per channel (innermost
    axis), `zero_point`: the raw value of a real 0."""
    if drift is None:
        return x
    info = np.iinfo(x.dtype)
    f = x.astype(np.float64)
    channels = len(std)
    per_channel = np.resize(std, f.shape[-1]) if channels == f.shape[-1] else np.full(f.shape[-1], std.mean())
    if drift == "noise":
        f = f + rng.normal(0.0, 1.0, f.shape) * NOISE_SIGMA * per_channel
    elif drift == "brightness":
        f = f + BRIGHTNESS_SIGMA * per_channel
    elif drift == "offset":
        f[..., 0] += OFFSET_SIGMA * per_channel[0]
    elif drift == "gain":
        f = (f - zero_point) * GAIN + zero_point
    elif drift == "rotate":
        from scipy import ndimage

        f = ndimage.rotate(f, ROTATE_DEGREES, axes=(1, 2), reshape=False, order=1, mode="constant", cval=zero_point)
    return np.clip(np.round(f), info.min, info.max).astype(x.dtype)


def stream(x: np.ndarray, total: int, seed: int) -> np.ndarray:
    """Indices of `total` samples drawn from `x` in a fresh seeded order on every pass over the split."""
    rng = np.random.default_rng(seed)
    passes = -(-total // len(x))
    return np.concatenate([rng.permutation(len(x)) for _ in range(passes)])[:total]
