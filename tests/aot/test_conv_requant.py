"""The DSP CONV_2D kernel's fused requantization (quant.conv_requant_table,
firmware/runtime/kernels/dsp/conv.c) and the rewrite of constant output
channels (quant.constant_channels), on Python integers: SMMLAR emulated
bit for bit, against the reference requantization (quant.requantize, which
mirrors reference/fixedpoint.h) at random and extreme accumulators."""

import numpy as np

from toolchain.aot import quant

INT32 = (-(1 << 31), (1 << 31) - 1)


def _int32(v: int) -> int:
    assert INT32[0] <= v <= INT32[1], v
    return v


def _kernel(x: int, m2: int, c: int, r: int) -> int:
    """conv_requantize_rq: SMMLAR(x, m2, x + c - (x < 0)) >> r, SSAT 8."""
    addend = _int32(x + c + (-1 if x < 0 else 0))
    t = _int32(((addend << 32) + x * m2 + (1 << 31)) >> 32)
    return min(127, max(-128, t >> r))


def _reference(x: int, m: int, shift: int, zp: int) -> int:
    return min(127, max(-128, quant.requantize(x, m, shift) + zp))


def _layer(rng, n: int, taps: int, big_bias: bool = False):
    weights = rng.integers(-127, 128, (n, taps)).astype(np.int8)
    reals = np.exp(rng.uniform(np.log(1e-5), np.log(0.9), n))
    pairs = [quant.quantize_multiplier(float(v)) for v in reals]
    hi = (1 << 29) if big_bias else 40000
    bias = rng.integers(-hi, hi, n).astype(np.int32)
    return weights, bias, [m for m, _ in pairs], [s for _, s in pairs]


def test_fused_requantization_matches_the_reference():
    rng = np.random.default_rng(5)
    checked = 0
    for trial in range(60):
        n, taps, zp = int(rng.integers(1, 9)), int(rng.integers(1, 300)), int(rng.integers(-128, 128))
        weights, bias, mults, shifts = _layer(rng, n, taps, big_bias=trial % 3 == 0)
        in_zp = int(rng.integers(-128, 128))
        folded = quant.folded_bias(bias, weights, in_zp, 0)
        table = quant.conv_requant_table(folded, weights, mults, shifts, zp)
        if table is None:
            continue
        span = 128 * np.abs(weights.astype(np.int64)).sum(axis=1)
        for ch, (m2, c, r) in enumerate(table.reshape(-1, 3).tolist()):
            lo, hi = int(folded[ch]) - int(span[ch]), int(folded[ch]) + int(span[ch])
            xs = [lo, hi, int(folded[ch]), lo + 1, hi - 1] + rng.integers(lo, hi + 1, 200).tolist()
            for x in xs:
                assert _kernel(x, m2, c, r) == _reference(x, mults[ch], shifts[ch], zp), (trial, ch, x)
                checked += 1
    assert checked > 20_000


def test_ties_round_away_from_zero():
    # x * m / 2^31 lands exactly on .5 after the shift: both signs
    m, shift, zp = 1 << 30, -3, 0
    table = quant.conv_requant_table(np.zeros(1, np.int32), np.zeros((1, 1), np.int8), [m], [shift], zp)
    m2, c, r = table.tolist()
    for x in range(-200, 201):
        assert _kernel(x, m2, c, r) == _reference(x, m, shift, zp), x


def test_table_refused_when_the_addend_could_overflow_or_shifts_are_left():
    weights = np.ones((1, 4), np.int8)
    # |bias| + 128 * 4 + round + 1 reaches 2^31
    assert quant.conv_requant_table(np.array([(1 << 31) - 520], np.int32), weights, [1 << 30], [-5], 0) is None
    table = quant.conv_requant_table(np.array([(1 << 31) - 540], np.int32), weights, [1 << 30], [-5], 0)
    for x in ((1 << 31) - 540 + 512, (1 << 31) - 540 - 512):  # the accumulator's extremes
        assert _kernel(x, *table.tolist()) == _reference(x, 1 << 30, -5, 0)
    assert quant.conv_requant_table(np.zeros(1, np.int32), weights, [1 << 30], [1], 0) is None
    assert quant.conv_requant_table(np.zeros(1, np.int32), weights, [1 << 30], [-23], 0) is None


def test_constant_channels_keep_their_outputs():
    rng = np.random.default_rng(9)
    n, taps, in_zp, zp = 6, 32, -128, -5
    weights = rng.integers(-127, 128, (n, taps)).astype(np.int8)
    weights[:3] = 0                                    # pruned filters
    bias = np.array([1 << 30, -(1 << 30), 1073741760, 123, -77, 5], np.int32)
    mults = [1 << 30, 1300000000, 1 << 30, 1500000000, 0, 0]
    shifts = [-27, -31, -26, -8, 0, 0]                 # past 22 on the pruned ones; zero multipliers
    new_bias, new_mults, new_shifts = quant.constant_channels(bias, weights, in_zp, mults, shifts, zp)
    assert new_mults[3] == mults[3] and new_shifts[3] == shifts[3]      # a live channel stays
    old_f = quant.folded_bias(bias, weights, in_zp, 0)
    new_f = quant.folded_bias(new_bias, weights, in_zp, 0)
    table = quant.conv_requant_table(new_f, weights, new_mults, new_shifts, zp)
    assert table is not None
    rows = table.reshape(-1, 3).tolist()
    span = 128 * np.abs(weights.astype(np.int64)).sum(axis=1)
    for ch in range(n):
        dots = [0] if span[ch] == 0 else rng.integers(-span[ch], span[ch] + 1, 300).tolist() + [-span[ch], span[ch]]
        for d in dots:
            want = _reference(int(old_f[ch]) + d, mults[ch], shifts[ch], zp)
            assert _reference(int(new_f[ch]) + d, new_mults[ch], new_shifts[ch], zp) == want, (ch, d)
            assert _kernel(int(new_f[ch]) + d, *rows[ch]) == want, (ch, d)
