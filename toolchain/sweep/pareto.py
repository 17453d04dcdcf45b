"""Pareto fronts of a sweep: the feasible points no other feasible point of
the same board beats on both accuracy (higher) and cost (lower), for cost =
instructions and cost = static RAM."""

COSTS = {"instructions": "instructions", "ram": "ram_bytes"}  # cost -> record key
LABELS = {"instructions": "instructions", "ram": "static RAM"}


def feasible(records: list[dict]) -> list[dict]:
    return [r for r in records if r.get("status") == "ok" and r.get("accuracy") is not None]


def front(records: list[dict], cost: str) -> list[dict]:
    """The front over `cost` (a key of COSTS), cheapest first."""
    key = COSTS[cost]
    pts = sorted((r for r in feasible(records) if r.get(key) is not None), key=lambda r: (r[key], -r["accuracy"]))
    out, best = [], -1.0
    for r in pts:
        if r["accuracy"] > best:
            out.append(r)
            best = r["accuracy"]
    return out


def by_board(records: list[dict]) -> dict[str, list[dict]]:
    boards: dict[str, list[dict]] = {}
    for r in records:
        boards.setdefault(r["config"]["board"], []).append(r)
    return boards


def fronts(records: list[dict]) -> dict[str, dict[str, list[dict]]]:
    """board -> cost -> front."""
    return {b: {c: front(rs, c) for c in COSTS} for b, rs in by_board(records).items()}


def best(records: list[dict]) -> dict | None:
    """The most accurate feasible point; the fewest instructions among equals."""
    pts = feasible(records)
    return max(pts, key=lambda r: (r["accuracy"], -(r.get("instructions") or 0))) if pts else None
