"""Pareto fronts, the best point and the latency limit, on records made by hand."""

from toolchain.sweep import pareto
from toolchain.sweep.results import apply_latency


def rec(acc, instr, ram, status="ok", board="qemu-m4"):
    return {"config": {"board": board}, "status": status, "accuracy": acc, "instructions": instr, "ram_bytes": ram,
            "fits": status != "infeasible"}


def test_front_keeps_only_points_no_other_beats_on_both_axes():
    a, b, c, d = rec(0.90, 100, 900), rec(0.95, 200, 800), rec(0.93, 300, 700), rec(0.97, 400, 1000)
    grey, failed = rec(0.99, 50, 50, "infeasible"), rec(None, None, None, "failed")
    recs = [a, b, c, d, grey, failed]
    assert pareto.front(recs, "instructions") == [a, b, d]  # c: b is faster and more accurate
    assert pareto.front(recs, "ram") == [c, b, d]  # a: b and c use less RAM and are more accurate
    assert pareto.best(recs) is d


def test_fronts_are_per_board():
    m4, m7 = rec(0.9, 100, 100), rec(0.8, 50, 50, board="qemu-m7")
    f = pareto.fronts([m4, m7])
    assert f["qemu-m4"]["instructions"] == [m4] and f["qemu-m7"]["instructions"] == [m7]


def test_equal_accuracy_best_is_the_faster():
    slow, fast = rec(0.9, 200, 1), rec(0.9, 100, 1)
    assert pareto.best([slow, fast]) is fast


def test_latency_limit_follows_the_current_run_and_never_revives_a_point_that_does_not_fit():
    r = rec(0.9, 500, 1)
    apply_latency(r, 400)
    assert r["status"] == "infeasible" and "500 instructions > --max-latency 400" in r["error"]
    apply_latency(r, None)
    assert r["status"] == "ok" and r["error"] is None
    big = {**rec(0.9, None, None, "infeasible"), "error": "does not fit"}
    apply_latency(big, None)
    assert big["status"] == "infeasible" and big["error"] == "does not fit"
