"""bench.json's `estimate` (the QEMU cycle model) as a table and a plot, every
figure labelled as an estimate, instructions beside it."""

from toolchain.report.plots import _figure


def estimate_headers(est: dict) -> list[str]:
    battery = next((b["battery"] for b in est["boards"] if b.get("battery")), None)
    life = [f"battery life, est. ({battery['battery']} at {battery['rate_per_min']:g}/min)"] if battery else []
    return ["board (core, clock)", "instructions", "cycles, est.", "cycles/instr., est.", "ms, est.", "uJ, est.", *life]


def estimate_rows(est: dict) -> list[list[str]]:
    rows = []
    for b in est["boards"]:
        cells = [f"{b['board']} ({b['core']}, {b['clock_hz'] / 1e6:g} MHz)", f"{est['instructions_per_run']:,}",
                 f"{b['cycles']:,}", f"{b['cycles_per_instruction']}", f"{b['ms']:.3f}",
                 "n/a (no currents in its board file)" if b["uj"] is None else f"{b['uj']:.1f}"]
        if any(x.get("battery") for x in est["boards"]):
            cells.append(_days(b["battery"]["days"]) if b.get("battery") else "n/a")
        rows.append(cells)
    return rows


def estimate_summary_rows(b: dict) -> list[tuple[str, str]]:
    """The summary table's lines: the first board's estimate, or why there is none."""
    if b.get("estimate_note"):
        return [("cycles, ms, uJ (estimate)", b["estimate_note"])]
    est = b.get("estimate")
    if not est or not est["boards"]:
        return []
    first = est["boards"][0]
    energy = "" if first["uj"] is None else f", {first['uj']:.1f} uJ"
    return [(f"estimate on {first['board']} (cycle model, not measured)",
             f"{first['cycles']:,} cycles, {first['ms']:.3f} ms at {first['clock_hz'] / 1e6:g} MHz{energy} "
             f"for {est['instructions_per_run']:,} instructions")]


def estimate_plot(b: dict) -> tuple[str, object]:
    """(title, figure or None): estimated ms and uJ per inference on each board, one bar per runtime after
    `bench --compare`."""
    title = "Estimated time and energy per inference, per board (QEMU cycle model: estimates, not measurements)"
    per_runtime = (b.get("compare") or {}).get("estimates") or ({b.get("runtime", ""): b["estimate"]}
                                                               if b.get("estimate") else {})
    if not per_runtime:
        return title, None
    boards = [x["board"] for x in next(iter(per_runtime.values()))["boards"]]
    fig, _ = _figure((9, 1.0 + 0.45 * len(boards) * len(per_runtime)))
    fig.clf()
    left, right = fig.subplots(1, 2, sharey=True)
    height = 0.8 / len(per_runtime)
    for k, (runtime, est) in enumerate(per_runtime.items()):
        rows = {x["board"]: x for x in est["boards"]}
        ys = [i + k * height for i in range(len(boards))]
        left.barh(ys, [rows[n]["ms"] for n in boards], height, label=runtime)
        right.barh(ys, [rows[n]["uj"] or 0 for n in boards], height, label=runtime)
    names = [f"{x['board']} ({x['clock_hz'] / 1e6:g} MHz)" for x in next(iter(per_runtime.values()))["boards"]]
    left.set_yticks([i + 0.4 - height / 2 for i in range(len(boards))], names)
    left.set_xlabel("ms per inference (estimate)")
    right.set_xlabel("uJ per inference (estimate; 0: no currents)")
    left.legend(fontsize="small")
    return title, fig


def _days(days: float) -> str:
    return f"{days:,.1f} days" if days < 10 else f"{days:,.0f} days"
