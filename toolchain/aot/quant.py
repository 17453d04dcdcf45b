"""Generation-time "prepare": real multipliers to Q31 + shift, activation
ranges, folded biases. The arithmetic mirrors the TFLite int8 spec exactly
(which products are float32 and which double), since a different rounding
of a multiplier is a different model."""

import math

import numpy as np

from toolchain.aot.errors import AotError

ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6"}


def quantize_multiplier(real: float) -> tuple[int, int]:
    """real -> (Q31 multiplier in [2^30, 2^31), shift) with real = m * 2^shift / 2^31."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = _round_half_away(q * (1 << 31))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return int(q_fixed), int(shift)


def _round_half_away(x: float) -> int:
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def activation_range(fused: int, scale: float, zp: int, op_desc: str, bits: int = 8) -> tuple[int, int]:
    """Clamp bounds in output units (int8, or int16 with bits=16) for a fused activation."""
    name = ACTIVATIONS.get(fused)
    if name is None:
        raise AotError(f"{op_desc}: fused activation {fused} is not supported",
                       "use NONE, RELU, RELU6 or RELU_N1_TO_1, or --runtime tflm")

    def q(v: float) -> int:
        with np.errstate(over="ignore"):
            x = np.float32(v) / np.float32(scale)
        if not np.isfinite(x):
            raise AotError(f"{op_desc}: output scale {scale} is too small for the fused activation",
                           "re-quantize the model, or use --runtime tflm")
        return zp + _round_half_away(x)

    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if name == "RELU":
        lo = max(lo, q(0.0))
    elif name == "RELU6":
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif name == "RELU_N1_TO_1":
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    return lo, hi


def per_channel_multipliers(in_scale: float, w_scales: np.ndarray, out_scale: float, n: int) -> tuple[list, list]:
    """Conv-style multipliers: double(in) * double(w[c]) / double(out)."""
    scales = np.asarray(w_scales, np.float32).reshape(-1)
    if len(scales) not in (1, n):
        # found by scripts/reliability.py: a flipped bit in a quantization vector's length
        raise AotError(f"weights have {len(scales)} quantization scales for {n} output channels",
                       "re-export the model; the file may be corrupt")
    scales = np.broadcast_to(scales, (n,))
    pairs = [quantize_multiplier(float(np.float64(in_scale) * np.float64(s) / np.float64(out_scale)))
             for s in scales]
    return [m for m, _ in pairs], [s for _, s in pairs]


def fc_multipliers(in_scale: float, w_scales: np.ndarray, out_scale: float, n: int) -> tuple[list, list]:
    """FULLY_CONNECTED: per tensor, double(in) * double(w) / double(out), as the TFLM host interpreter
    computes it (the device tree's TFLM takes float32(in * w): docs/tflm.md)."""
    if len(w_scales) == 1:
        prod = np.float64(in_scale) * np.float64(w_scales[0])
        m, s = quantize_multiplier(float(prod / np.float64(out_scale)))
        return [m] * n, [s] * n
    return per_channel_multipliers(in_scale, w_scales, out_scale, n)


def folded_bias(bias: np.ndarray | None, weights: np.ndarray, in_zp: int, axis: int) -> np.ndarray:
    """bias - in_zp * sum(weights) per output channel, wrapped to int32."""
    sums = weights.astype(np.int64).sum(axis=tuple(i for i in range(weights.ndim) if i != axis))
    b = np.zeros(len(sums), np.int64) if bias is None else bias.astype(np.int64).reshape(-1)
    return ((b - in_zp * sums + 2**31) % 2**32 - 2**31).astype(np.int32)


def folded_rounding(shifts: list, out_zp: int) -> np.ndarray | None:
    """Per channel 2^(r-1) + out_zp * 2^r for right shifts r = -shift, when
    every r is in [1, 22] (so the DSP kernels' sum with the high product
    stays in int32); else None."""
    if not all(-22 <= s <= -1 for s in shifts):
        return None
    return np.array([(1 << (-s - 1)) + out_zp * (1 << -s) for s in shifts], np.int64)


def constant_channels(bias: np.ndarray | None, weights: np.ndarray, in_zp: int, mults: list, shifts: list,
                      out_zp: int) -> tuple[np.ndarray | None, list, list]:
    """Rewrite the output channels whose output is a constant, as pruned
    filters (all weights zero) and zero multipliers make them, to the same
    constant with small numbers: bias 4d (folded), multiplier 2^30, shift -1
    give d exactly; a zero multiplier keeps output zero from folded bias 0
    with shift -22 while |acc| <= 128 * sum|w| < 2^22 - 4. Every kernel then
    computes the same outputs, and the DSP kernel's requantization table
    (conv_requant_table) no longer meets biases near 2^30 and shifts past 22."""
    n = len(mults)
    rows = weights.reshape(n, -1).astype(np.int64)
    sums, spans = rows.sum(axis=1), 128 * np.abs(rows).sum(axis=1)
    raw = np.zeros(n, np.int64) if bias is None else bias.astype(np.int64).reshape(-1).copy()
    mults, shifts = list(mults), list(shifts)
    folded = folded_bias(raw, weights, in_zp, 0).astype(np.int64)
    for c in range(n):
        if mults[c] == 0 and spans[c] < (1 << 22) - 4:
            raw[c], mults[c], shifts[c] = in_zp * sums[c], 1 << 30, -22
        elif spans[c] == 0 and mults[c] != 0 and not (-22 <= shifts[c] <= -1):
            d = min(127, max(-128, requantize(int(folded[c]), mults[c], shifts[c]) + out_zp)) - out_zp
            raw[c], mults[c], shifts[c] = 4 * d, 1 << 30, -1
    return (raw.astype(np.int32) if bias is not None or np.any(raw) else None), mults, shifts


def conv_requant_table(folded: np.ndarray, weights: np.ndarray, mults: list, shifts: list,
                       out_zp: int) -> np.ndarray | None:
    """Per output channel {2 * mult - 2^32, 2^(r-1) + out_zp * 2^r, r}
    (r = -shift) for the DSP CONV_2D kernel's fused requantization (SMMLAR
    with the accumulator in its addend doubles the multiplier), or None
    unless every channel has r in [1, 22] (the rounding constant fits) and
    |acc| + |rounding constant| <= |bias| + 128 * sum|w| + |c| < 2^31 - 1
    (the addend stays in int32)."""
    n = len(mults)
    bound = np.abs(folded.astype(np.int64)) + 128 * np.abs(weights.reshape(n, -1).astype(np.int64)).sum(axis=1)
    rows = []
    for m, s, lim in zip(mults, shifts, bound):
        r = -s
        if m == 0 or not 1 <= r <= 22:
            return None
        c = (1 << (r - 1)) + out_zp * (1 << r)
        if lim + abs(c) + 1 >= 1 << 31:
            return None
        rows.append([2 * m - (1 << 32), c, r])
    return np.array(rows, np.int64).reshape(-1)


def input_radius(int_bits: int, left_shift: int, total_bits: int = 31) -> int:
    """Largest |x - zp| that does not saturate a Q(int_bits) input."""
    max_rescaled = 1.0 * ((1 << int_bits) - 1) * (1 << (total_bits - int_bits)) / (1 << left_shift)
    return int(math.floor(max_rescaled))


def _doubling_high_mul(a: int, b: int) -> int:
    """reference/fixedpoint.h tm_fp_doubling_high_mul, on Python ints."""
    if a == b == -(1 << 31):
        return (1 << 31) - 1
    ab = a * b
    n = ab + ((1 << 30) if ab >= 0 else 1 - (1 << 30))
    return n // (1 << 31) if n >= 0 else -((-n) // (1 << 31))  # truncate like C


def requantize(x: int, mult: int, shift: int) -> int:
    """reference/fixedpoint.h tm_fp_requantize: x * mult * 2^shift, spec rounding."""
    left, right = max(shift, 0), max(-shift, 0)
    h = _doubling_high_mul(((x << left) + (1 << 31)) % (1 << 32) - (1 << 31), mult)
    mask = (1 << right) - 1
    return (h >> right) + int((h & mask) > (mask >> 1) + int(h < 0))


def add_input_table(zp: int, mult: int, shift: int, left_shift: int) -> np.ndarray:
    """Per int8 code q (index q + 128): 2 * the ADD's rescaled input
    requantize((q - zp) << left_shift), the doubled value the DSP kernel's
    output SMMULR takes (|value| < 2^29, so sums of two stay in int32)."""
    return np.array([2 * requantize((q - zp) << left_shift, mult, shift) for q in range(-128, 128)], np.int64)
