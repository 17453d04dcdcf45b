"""The int16 lookup tables of the 16x8 kernels, made at generation time: 513
entries (512 steps of the int16 input range plus one to interpolate the last),
each sample nudged by half the error of linear interpolation at its step's
midpoint, as the TFLite spec's int16 LUT does. The spec computes them in
float32, so every step here is a float32 operation (numpy scalars), with
exp rounded once from double like a correctly rounded expf."""

import math

import numpy as np

F = np.float32
STEPS = 512


def _round(x: np.float32) -> np.float32:
    """Round half away from zero, in float32."""
    return F(math.floor(abs(float(x)) + 0.5) * (1 if x >= 0 else -1))


def populate(fn, in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> np.ndarray:
    in_min, in_max = F(in_scale) * F(-32768 - in_zp), F(in_scale) * F(32767 - in_zp)
    out_min, out_max = F(out_scale) * F(-32768 - out_zp), F(out_scale) * F(32767 - out_zp)
    step = (in_max - in_min) / F(STEPS)
    half = step / F(2)
    inv = F(65536) / (out_max - out_min)
    lut = np.zeros(STEPS + 1, np.int64)
    for i in range(STEPS):
        x = in_min + F(i) * step
        val, mid, nxt = fn(x), fn(x + half), fn(in_min + F(i + 1) * step)
        sample = _round(val * inv)
        interp = _round((nxt * inv + _round(val * inv)) / F(2))
        bias = _round((interp - _round(mid * inv)) / F(2))
        lut[i] = int(min(max(sample - bias, F(-32768)), F(32767)))
    lut[STEPS] = int(min(max(_round(fn(in_max) * inv), F(-32768)), F(32767)))
    return lut


def _exp(x: np.float32) -> np.float32:
    return F(math.exp(float(x)))


def _recip(x: np.float32) -> np.float32:
    return F(1) / (F(1) + x)


RANGE = 65535  # int16 max - min


def softmax_exp() -> np.ndarray:
    """exp over [-10, 0]: input scale 10/65535 with zero point 32767, output Q0.15."""
    return populate(_exp, float(F(10) / F(RANGE)), 32767, float(F(2) / F(RANGE)), 0)


def softmax_recip() -> np.ndarray:
    """1 / (1 + x) over [0, 1]: input scale 1/65535 with zero point -32768, output Q0.15."""
    return populate(_recip, float(F(1) / F(RANGE)), -32768, float(F(2) / F(RANGE)), 0)


def sigmoid_q16() -> np.ndarray:
    """The 256-entry table the 16x8 LOGISTIC and TANH kernels interpolate: sigmoid(i / 24) in Q0.16
    (the values TFLM's reference reads), each entry lowered by half the midpoint error of linear
    interpolation to the next (in double). The last entry only ends the interpolation from the one
    before; TFLM's is the Q0.16 maximum, 65535, not the rounded sample 65534."""
    def f(x: float) -> float:
        return 65536.0 / (1.0 + math.exp(-x / 24.0))
    table = [math.floor(f(i) - ((f(i) + f(i + 1)) / 2 - f(i + 0.5)) / 2 + 0.5) for i in range(255)]
    return np.array(table + [65535], np.int64)
