"""Field monitoring figures, every one measured in QEMU by `toolchain monitor --feed split` (qemu-m4), written
into docs/benchmarks.md between the `monitoring:begin/end` markers (other sections are left as they are).

    python scripts/monitoring.py [--models digits,gesture] [--clean-samples N] [--out docs/benchmarks.md]

Per model: a clean run (false alarms per 10,000 clean held-out samples), then each drift scenario starting at
sample 500 (detection delay: samples from the drift's start to the first alarm). Overhead: the device's own ticks
of its last statistics update (SysTick, 40 instructions a tick under -icount shift=0) against the instructions of
one inference (`toolchain bench --samples 1`), and static RAM of the firmware with and without statistics
(the same project rebuilt with -DTM_STATS=0).
"""

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from docs_section import commands, machine, replace_section, run

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BOARD = "qemu-m4"
SCENARIOS = {"digits": ("noise", "brightness", "rotate"), "gesture": ("offset", "gain")}
ONSET, AFTER = 500, 1000  # the drift starts at sample ONSET and lasts AFTER samples
# gesture streams 600 bytes a sample (QEMU's UART: ~6 samples/s); its held-out split has 20 recordings, so every
# 100-sample window holds 5 whole passes and scores the same: 2,000 clean samples say what 10,000 would
CLEAN = {"digits": 10_000, "gesture": 2_000}
BEGIN, END = "<!-- monitoring:begin -->", "<!-- monitoring:end -->"


def build_dir() -> Path:
    from toolchain import paths

    return paths.build_root()


def ram_without_stats(model: str) -> tuple[int, int]:
    """(static RAM with statistics, without): the built project, and a copy rebuilt with -DTM_STATS=0."""
    from toolchain.build import elf_size, pio

    project = build_dir() / model / BOARD / "firmware"
    with_stats = elf_size.measure(project / ".pio" / "build" / BOARD / "firmware.elf").ram_bytes
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "firmware"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".pio"))
        ini = copy / "platformio.ini"
        ini.write_text(ini.read_text().replace("build_flags =", "build_flags =\n    -DTM_STATS=0", 1))
        elf, _ = pio.run(copy, BOARD)
        return with_stats, elf_size.measure(elf).ram_bytes


def measure(model: str, clean_samples: int | None) -> dict:
    base = ["monitor", "--board", BOARD, "--model", model, "--runtime", "aot", "--feed", "split"]
    out = {"cmds": [], "runs": {}}
    cmd, out["runs"]["clean"] = run([*base, "--samples", str(clean_samples or CLEAN[model])])
    out["cmds"].append(cmd)
    for drift in SCENARIOS[model]:
        cmd, out["runs"][drift] = run([*base, "--samples", str(ONSET + AFTER), "--drift", drift,
                                       "--drift-after", str(ONSET)])
        out["cmds"].append(cmd)
    cmd, out["bench"] = run(["bench", "--board", BOARD, "--model", model, "--runtime", "aot", "--samples", "1"])
    out["cmds"].append(cmd)
    out["ram"] = ram_without_stats(model)
    return out


def row(model: str, name: str, m: dict) -> str:
    samples = m["windows"][-1]["end_sample"] if m["windows"] else 0
    before = [a for a in m["alarms"] if not m["drift"] or a["sample"] <= m["drift_after"]]
    after = [a for a in m["alarms"] if m["drift"] and a["sample"] > m["drift_after"]]
    clean = samples if not m["drift"] else m["drift_after"]
    delay = f"{after[0]['sample'] - m['drift_after']}" if after else ("-" if not m["drift"] else "not detected")
    fired = ", ".join(after[0]["over"]) if after else "-"
    check = m["check"]
    return (f"| {model} | {name} | {samples:,} | {delay} | {fired} | {len(before)} in {clean:,} "
            f"({len(before) * 10_000 / max(clean, 1):.1f} per 10,000) | {check['clean_agreement']:.3f} "
            f"| {'n/a (link faults)' if check['device_equals_host'] is None else check['device_equals_host']} |")


def section(results: dict) -> list[str]:
    lines = [BEGIN, "## Field monitoring", "",
             f"Measured {date.today().isoformat()} by `scripts/monitoring.py` on: {machine()}. Every figure comes from "
             f"QEMU ({BOARD}, aot runtime): `toolchain monitor --feed split` streams the held-out split (a new seeded "
             f"order on every pass) into the firmware, polls `stats%` every 100 samples and scores each window against "
             f"the reference profile of the training split (docs/monitoring.md). Thresholds: PSI 0.25 (class mix, "
             f"top-1 confidence), KL 0.1 nats (each input channel); an alarm takes 3 consecutive windows over a "
             f"threshold, so the shortest possible delay is 300 samples. Drift scenarios start at sample {ONSET} "
             f"(sizes in toolchain/monitor/scenarios.py: noise 0.5 σ, brightness +1 σ, rotation 30°, offset +1 σ "
             f"on channel 0, gain x1.5).", "",
             "| model | run | samples | detection delay (samples) | first alarm from | false alarms (clean samples) "
             "| clean outputs = host int8 | device stats = host twin |",
             "|---|---|---|---|---|---|---|---|"]
    for model, r in results.items():
        for name, m in r["runs"].items():
            lines.append(row(model, name, m))
    lines += ["", "Cost of the statistics on the device (per served inference; outside the timed region, so "
              "latency figures do not include it):", "",
              "| model | update (instructions, ±40) | one inference (instructions) | overhead | static RAM with / without "
              "statistics | RAM overhead |", "|---|---|---|---|---|---|"]
    for model, r in results.items():
        lat = r["bench"]["latency"]
        ticks = max(m["device_cost_ticks"] for m in r["runs"].values())
        update = round(ticks * lat["units_per_tick"])
        with_stats, without = r["ram"]
        lines.append(f"| {model} | {update:,} | {lat['instructions_median']:,} | "
                     f"{100 * update / lat['instructions_median']:.2f} % | {with_stats:,} B / {without:,} B | "
                     f"{with_stats - without:,} B |")
    return lines + commands([c for r in results.values() for c in r["cmds"]]) + [END]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(SCENARIOS))
    ap.add_argument("--clean-samples", type=int, default=None, help="default: 10,000 (digits), 2,000 (gesture)")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    results = {}
    for model in args.models.split(","):
        results[model] = measure(model, args.clean_samples)
        print(f"{model} done", file=sys.stderr)
    replace_section(Path(args.out), BEGIN, END, section(results))


if __name__ == "__main__":
    main()
