"""Time the 16-point digits sweep (scripts/sweep_digits.toml) on qemu-m4 with 1
and with 2 local Ray workers, each from an empty build tree, and write its
figures to the `## Sweeps` section of docs/benchmarks.md (the rest of the
file is left as the other scripts wrote it).

    python scripts/sweep_digits.py [--workers 1,2] [--note "shared machine: ..."]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docs_section import REPO, machine  # noqa: E402
from toolchain.sweep import pareto  # noqa: E402
from toolchain.sweep.report import row  # noqa: E402

SPACE = "scripts/sweep_digits.toml"
HEADING = "## Sweeps"


def run(workers: int) -> tuple[list[str], float, dict, float]:
    cmd = ["toolchain", "sweep", "--model", "digits", "--board", "qemu-m4", "--space", SPACE, "--workers",
           str(workers), "--json"]
    with tempfile.TemporaryDirectory() as build:
        env = {**os.environ, "TOOLCHAIN_BUILD_DIR": build, "PYTHONPATH": str(REPO)}
        load = os.getloadavg()[0]
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, "-m", *cmd], capture_output=True, text=True, cwd=REPO, env=env)
        wall = time.monotonic() - t0
        load = (load + os.getloadavg()[0]) / 2
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return cmd, wall, json.loads(r.stdout[r.stdout.index("{"):]), load


def table(recs: list[dict]) -> list[str]:
    lines = ["| id | config | accuracy on device | instructions | static RAM B | arena B | flash B |",
             "|---|---|---|---|---|---|---|"]
    return lines + [f"| {p['id']} | {p['describe']} | {p['acc']} | {p['instr']} | {p['ram']} | {p['arena']} | "
                    f"{p['flash']} |" for p in map(row, recs)]


def section(runs: dict[int, tuple], note: str) -> list[str]:
    base = runs[min(runs)][1]
    lines = [HEADING, "",
             f"Measured {date.today().isoformat()} by `scripts/sweep_digits.py` on: {machine()}; "
             f"{os.cpu_count()} cores. {note}".rstrip(), "",
             "Commands (each from an empty build tree: every point trained, optimized, built and benched):", "",
             "```", *[" ".join(cmd) for cmd, *_ in runs.values()], "```", "",
             "| local Ray workers | wall time | speed-up | sum of the points' own times | points at once (sum / wall) "
             "| load average (1 min, mean of start and end) |",
             "|---|---|---|---|---|---|"]
    for w, (_, wall, data, load) in runs.items():
        busy = sum(data["points"][i]["seconds"] for i in data["current"])
        lines.append(f"| {w} | {wall:.0f} s | {base / wall:.2f}x | {busy:.0f} s | {busy / wall:.2f} | {load:.1f} |")
    shown = {w: [{"id": i, **data["points"][i]} for i in data["current"]] for w, (_, _, data, _) in runs.items()}
    figures = lambda recs: [(r["id"], r["status"], r["accuracy"], r["instructions"], r["ram_bytes"]) for r in recs]  # noqa: E731
    if all(figures(recs) == figures(shown[min(shown)]) for recs in shown.values()):
        lines += ["", f"Every point measured the same in all {len(shown)} runs (seeded training, deterministic "
                  "emulator): one set of figures below."]
        shown = {min(shown): shown[min(shown)]}
    for w, recs in shown.items():
        failed = [r for r in recs if r["status"] != "ok"]
        lines += ["", f"Run with {w} worker(s): {len(recs)} points, {len(failed)} not ok"
                  + "".join(f"; {r['id']}: {r['status']} ({r['error']})" for r in failed) + ".", ""]
        for cost, front in pareto.fronts(recs)["qemu-m4"].items():
            lines += [f"Pareto front, accuracy vs {pareto.LABELS[cost]}:", "",
                      *table(front), ""]
        lines += ["<details><summary>All points</summary>", "", *table(recs), "", "</details>"]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--note", default="")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    runs = {}
    for w in map(int, args.workers.split(",")):
        runs[w] = run(w)
        print(f"{w} worker(s): {runs[w][1]:.0f} s", flush=True)
    out = Path(args.out)
    text = out.read_text() if out.exists() else "# Benchmarks\n"
    kept = text.split(f"\n{HEADING}\n")[0].rstrip("\n")
    out.write_text(kept + "\n\n" + "\n".join(section(runs, args.note)) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
