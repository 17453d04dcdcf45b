"""`toolchain bench --compare tflm,aot`: the same model benched with several
runtimes on identical inputs, side by side. Each runtime's full results go to
`bench-<runtime>.json`; bench.json holds the last runtime's results plus the
`compare` table, which report.html renders.

Like with like: `arena + io` is every byte of model tensors, whether a
runtime keeps the input and output inside its arena or beside it.
"""

from toolchain import manifest, paths, pipeline
from toolchain.bench import bench
from toolchain.boards import runtimes as runtime_table
from toolchain.errors import UsageError

ROWS = (  # (label, how to read it from a bench result)
    ("instructions / inference", lambda r: (r["latency"] or {}).get("instructions_median")),
    ("flash (whole firmware)", lambda r: (r["memory"] or {}).get("flash_bytes")),
    ("static RAM", lambda r: (r["memory"] or {}).get("ram_bytes")),
    ("arena", lambda r: (r["memory"] or {}).get("arena_bytes")),
    ("input/output buffers outside the arena", lambda r: (r["memory"] or {}).get("io_bytes")),
    ("arena + io (like for like)", lambda r: _sum((r["memory"] or {}).get("arena_bytes"), (r["memory"] or {}).get("io_bytes"))),
    ("stack used", lambda r: (r["memory"] or {}).get("stack_bytes")),
    ("cycles / inference (estimate, cycle model)", lambda r: _estimated_cycles(r)),
)


def _estimated_cycles(r: dict) -> int | None:
    boards = (r.get("estimate") or {}).get("boards") or []
    return boards[0]["cycles"] if boards else None


def _sum(*values):
    return None if any(v is None for v in values) else sum(values)


def parse(spec: str) -> list[str]:
    names = [s.strip() for s in spec.split(",") if s.strip()]
    for n in names:
        runtime_table.check_name(n)
    if len(names) < 2 or len(set(names)) != len(names):
        raise UsageError(f"--compare {spec!r} needs two or more different runtimes", "e.g. --compare tflm,aot")
    return names


def compare(model_ref: str, board_id: str, names: list[str], **bench_args) -> dict:
    results = {n: bench(model_ref, board_id, runtime=n, out_name=f"bench-{n}.json", **bench_args) for n in names}
    table = side_by_side(results)
    last = {**results[names[-1]], "compare": table}
    manifest.write_json_atomic(paths.build_root() / pipeline.model_name(model_ref) / board_id / paths.BENCH_FILE, last)
    return last


def side_by_side(results: dict[str, dict]) -> dict:
    names = list(results)
    base = names[0]
    rows = []
    for label, read in ROWS:
        values = {n: read(results[n]) for n in names}
        ratios = {n: round(values[n] / values[base], 3) if values[n] is not None and values[base] else None
                  for n in names[1:]}
        rows.append({"what": label, "values": values, f"ratio_to_{base}": ratios})
    digests = {n: (results[n]["accuracy"] or {}).get("output_digests") or [] for n in names}
    pairs = {}
    for n in names[1:]:
        a, b = digests[base], digests[n]
        same = sum(x == y for x, y in zip(a, b))
        pairs[f"{n}_vs_{base}"] = {"samples": min(len(a), len(b)), "identical": same,
                                   "agreement": same / min(len(a), len(b)) if a and b else None}
    host = {n: (results[n]["accuracy"] or {}).get("agreement") for n in names}
    table = {"runtimes": names, "base": base, "rows": rows, "outputs": pairs, "agreement_with_host": host}
    if estimated := {n: results[n]["estimate"] for n in names if results[n].get("estimate")}:
        table["estimates"] = estimated  # per runtime, for the report's plot of both
    return table
