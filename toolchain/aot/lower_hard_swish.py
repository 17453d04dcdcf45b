"""Lowering of HARD_SWISH (int8) to a 256-entry table: TFLM's prepare (two multipliers downscaled to 16 bits) and
its per-element 16-bit fixed-point steps (reference hard_swish.h, gemmlowp's rounding), run here for every input
code, so the device does one lookup per element."""

import numpy as np

from toolchain.aot import quant
from toolchain.aot.graph import Graph, Op
from toolchain.aot.layer import Const, Layer, fail, require_int8
from toolchain.aot.lower_misc import _io

I16_MIN, I16_MAX = -(1 << 15), (1 << 15) - 1


def _i16(v: int) -> int:
    """v as a C int16_t holds it (two's complement wrap)."""
    return ((v - I16_MIN) & 0xFFFF) + I16_MIN


def _div_trunc(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _doubling_high_mul(a: int, b: int, rounding: bool) -> int:
    """gemmlowp's SaturatingRoundingDoublingHighMul on int16 (rounding), or TFLM's SaturatingDoublingHighMul."""
    if a == b == I16_MIN:
        return I16_MAX
    ab = a * b
    nudge = ((1 << 14) if ab >= 0 else 1 - (1 << 14)) if rounding else 0
    return _i16(_div_trunc(ab + nudge, 1 << 15))


def _saturating_left_shift(v: int, amount: int) -> int:
    return max(I16_MIN, min(I16_MAX, v * (1 << amount)))


def _rounding_divide_by_pot(x: int, exponent: int) -> int:
    """gemmlowp's RoundingDivideByPOT for int16 (its mask is an int16 too)."""
    mask = _i16((1 << exponent) - 1)
    threshold = _i16((mask >> 1) + (1 if x < 0 else 0))
    return _i16((x >> exponent) + (1 if (x & mask) > threshold else 0))


def _int16_multiplier(real: np.float32) -> tuple[int, int]:
    """TFLM's QuantizeMultiplier, then DownScaleInt32ToInt16Multiplier."""
    m, shift = quant.quantize_multiplier(float(real))
    return (I16_MAX if m >= (1 << 31) - 1 - (1 << 15) else (m + (1 << 15)) >> 16), shift


def table(in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> np.ndarray:
    """TFLM's int8 HARD_SWISH output for input codes -128..127; None when TFLM's prepare refuses the scales."""
    hires = np.float32(1.0 / 128.0) * np.float32(in_scale)
    out_m, out_exp = _int16_multiplier(hires / np.float32(out_scale))
    relu_m, relu_exp = _int16_multiplier(hires / (np.float32(3.0) / np.float32(32768.0)))
    if out_exp > 0:
        return None
    codes = []
    for q in range(-128, 128):
        hires_value = _i16((q - in_zp) * (1 << 7))
        preshift_out = _doubling_high_mul(hires_value, out_m, rounding=True)
        r = hires_value
        if relu_exp > 0:
            r = _saturating_left_shift(r, relu_exp - 1)
        r = _doubling_high_mul(r, relu_m, rounding=True)
        if relu_exp > 0:
            r = _saturating_left_shift(r, 1)
        if relu_exp < 0:
            r = _rounding_divide_by_pot(r, -relu_exp)
        r = _i16((r + (1 << 15)) >> 1)  # [-1, 1] -> [0, 1]
        v = _rounding_divide_by_pot(_doubling_high_mul(r, preshift_out, rounding=False), -out_exp)
        codes.append(max(-128, min(127, _i16(v + out_zp))))
    return np.array(codes, np.int8)


def lower_hard_swish(op: Op, graph: Graph) -> Layer:
    (inp,), out = _io(op, graph, same_size=True)
    require_int8(op, graph, [inp, out])
    codes = table(inp.sc, inp.zp, out.sc, out.zp)
    if codes is None:
        raise fail(op, graph, f"output scale {out.sc} is below input scale / 128 ({inp.sc}), which TFLM refuses too")
    layer = Layer(op.index, op.name, "tm_hard_swish_eval", "tm_hard_swish_params_t", inputs=[inp.index],
                  output=out.index, consts=[Const(f"l{op.index}_hard_swish", "int8_t", codes)])
    layer.fields.update(count=inp.size, table=f"l{op.index}_hard_swish")
    layer.lag = {inp.index: 0}  # each element is read before it is written
    return layer
