"""Static memory plan: every activation tensor gets an offset in one arena.

Algorithm: each buffer lives from the layer that writes it to the last layer
that reads it. Buffers are placed one at a time, in some order, at the lowest
4-byte-aligned offset where they overlap no buffer alive at the same time
(first fit over the candidate offsets 0 and "just after" each live buffer).
Several orders are tried (by size with either tie-break, by start, by
lifetime, by size x lifetime, plus seeded shuffles) and the smallest peak
wins; the result is deterministic.

In-place: a layer that streams its output in order may write over an input
that dies at that layer, provided the output starts at least `lag` bytes
below that input (the writes then stay behind the reads), and a multiple of
the layer's `lag_unit` below it: both are the kernel's own answer for the
layer's geometry (kernel_sizes.py). Elementwise ops have lag 0,
so the output may sit exactly on the input. Reshapes never reach the planner
as separate buffers: they alias their input (lower.py).
"""

import random
from dataclasses import dataclass, field

ALIGN = 4


@dataclass
class Buffer:
    key: str          # tensor name "t12" or scratch name "s3"
    size: int
    first: int        # layer index that writes it
    last: int         # last layer index that reads it
    lags: dict = field(default_factory=dict)  # key of an input it may overwrite -> lag bytes
    units: dict = field(default_factory=dict)  # key of such an input -> the distance must be a multiple of this
    offset: int = -1


@dataclass
class Plan:
    buffers: list[Buffer]
    peak: int
    strategy: str


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def _live_together(a: Buffer, b: Buffer) -> bool:
    return a.first <= b.last and b.first <= a.last


def _compatible(a: Buffer, a_off: int, b: Buffer) -> bool:
    """May `a` sit at a_off while `b` (placed) is alive at the same time?"""
    if a_off + a.size <= b.offset or b.offset + b.size <= a_off:
        return True
    if b.key in a.lags:          # a overwrites b from below
        d = b.offset - a_off
        return d >= a.lags[b.key] and d % a.units.get(b.key, 1) == 0
    if a.key in b.lags:          # b overwrites a from below
        d = a_off - b.offset
        return d >= b.lags[a.key] and d % b.units.get(a.key, 1) == 0
    return False


def _place(buffers: list[Buffer]) -> int:
    placed: list[Buffer] = []
    for buf in buffers:
        rivals = [p for p in placed if _live_together(buf, p)]
        candidates = {0}
        for p in rivals:
            candidates.add(_align(p.offset + p.size))
            if p.key in buf.lags:
                candidates.add(max(0, (p.offset - buf.lags[p.key]) // ALIGN * ALIGN))
            if buf.key in p.lags:
                candidates.add(max(0, _align(p.offset + p.lags[buf.key])))
        buf.offset = next(c for c in sorted(candidates) if all(_compatible(buf, c, p) for p in rivals))
        placed.append(buf)
    return max((b.offset + b.size for b in buffers), default=0)


SHUFFLES = 48

_ORDERS = {
    "size": lambda b: (-b.size, b.first),
    "size-late-first": lambda b: (-b.size, -b.first),
    "first-use": lambda b: (b.first, -b.size),
    "lifetime": lambda b: (-(b.last - b.first), -b.size),
    "size-x-lifetime": lambda b: (-b.size * (b.last - b.first + 1), b.first),
    "last-use": lambda b: (-b.last, -b.size),
}


def plan(buffers: list[Buffer]) -> Plan:
    """Try every order; keep the plan with the smallest peak."""
    orders = [(name, sorted(range(len(buffers)), key=lambda i, k=key: k(buffers[i]))) for name, key in _ORDERS.items()]
    rng = random.Random(0)
    for n in range(SHUFFLES if len(buffers) > 2 else 0):
        order = list(range(len(buffers)))
        rng.shuffle(order)
        orders.append((f"shuffle-{n}", order))
    best: Plan | None = None
    for name, order in orders:
        trial = [Buffer(b.key, b.size, b.first, b.last, dict(b.lags), dict(b.units)) for b in buffers]
        peak = _place([trial[i] for i in order])
        if best is None or peak < best.peak:
            best = Plan(trial, peak, name)
    return best or Plan([], 0, "empty")
