"""Cycle, time and energy estimates of the MLPerf Tiny models on both runtimes
(QEMU cycle model), beside MLPerf Tiny's published latencies on the
NUCLEO-L4R5ZI, and the cycle model's cost; written into docs/benchmarks.md
between the `estimates:begin/end` markers (other sections are left as they are).

    .venv/bin/python scripts/estimates.py [--pairs 6]

Per model: `toolchain bench --board qemu-m4 --compare tflm,aot --estimate-for
nano33,nucleo_l4r5zi --rate 60/min` (TFLM with CMSIS-NN kernels, from
TOOLCHAIN_TFLM_DIR or ../shared/third_party/tflite-micro). Then the cost: a
short bench (KWS, AOT) and a long one (VWW, TFLM) with and without the cycle model,
back to back, `--pairs` times each.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from docs_section import commands, machine, replace_section, run

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.aot.qemu_bench import measure as aot_program  # noqa: E402
from toolchain.cycles import counts, plugin, timing  # noqa: E402
SHARED = "../shared/models"
MODELS = {"KWS": "kws_ref_model", "IC": "pretrainedResnet_quant", "VWW": "vww_96_int8", "AD": "ad01_int8"}
BEGIN, END = "<!-- estimates:begin -->", "<!-- estimates:end -->"
SAMPLES = "5"

# Published latencies on the NUCLEO-L4R5ZI at 120 MHz: median throughput in the results.txt of each submission
# (inferences/s -> ms). MLPerf Tiny v0.5 closed/reference: TFLM v2.3.1 on Mbed, GCC 6 (Nucleo_L4R5ZI system
# description); v1.1 closed/Krai microtvm_cmsis_nn: microTVM with CMSIS-NN kernels (results/README.md).
PUBLISHED = {
    "v0.5 reference (TFLM 2.3.1)": {"KWS": 5.497, "IC": 1.420, "VWW": 1.665, "AD": 99.487},
    "v1.1 Krai microTVM + CMSIS-NN": {"KWS": 10.019, "IC": 2.567, "VWW": 3.324, "AD": 116.212},
}
PUBLISHED_KWS_UJ = 7373.704  # v0.5 reference, kws/energy/results.txt: median energy per inference (board at 1.8 V)
PUBLISHED_KWS_UW = 40835.7   # the same file: power over the median window


def estimate_of(result: dict, board: str) -> dict:
    return next(b for b in result["estimate"]["boards"] if b["board"] == board)


def measure_models(build: Path) -> tuple[list[str], dict]:
    cmds, results = [], {}
    for key, stem in MODELS.items():
        cmd, _ = run(["bench", "--board", "qemu-m4", "--model", f"{SHARED}/{stem}.tflite", "--compare", "tflm,aot",
                      "--estimate-for", "nano33,nucleo_l4r5zi", "--rate", "60/min", "--samples", SAMPLES])
        cmds.append(cmd)
        d = build / stem / "qemu-m4"
        runs = {rt: json.loads((d / f"bench-{rt}.json").read_text()) for rt in ("tflm", "aot")}
        macs = sum(layer.get("macs", 0) for layer in runs["aot"]["firmware"]["layers"])
        results[key] = (runs, macs)
    return cmds, results


def cpu_seconds() -> float:
    """User + system time of every finished child process so far (bench, and the QEMU it ran)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(args: list[str]) -> tuple[str, float, float]:
    """(the command, bench's wall_seconds, the CPU seconds of the whole command)."""
    before = cpu_seconds()
    cmd, result = run(args)
    return cmd, result["wall_seconds"], cpu_seconds() - before


COST_RUNS = {"KWS, aot, 20 samples": ("KWS", "aot", "20"), "VWW, tflm, 60 samples": ("VWW", "tflm", "60")}


def measure_cost(model: str, runtime: str, samples: str,
                 pairs: int) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    args = ["bench", "--board", "qemu-m4", "--model", f"{SHARED}/{MODELS[model]}.tflite", "--runtime", runtime,
            "--samples", samples]
    walls = []
    for i in range(pairs):  # back to back, the order alternating so neither run always goes first
        if i % 2:
            cmd_with, wall_with, cpu_with = timed(args)
            cmd_without, wall_without, cpu_without = timed([*args, "--no-estimate"])
        else:
            cmd_without, wall_without, cpu_without = timed([*args, "--no-estimate"])
            cmd_with, wall_with, cpu_with = timed(args)
        walls.append((wall_without, wall_with, cpu_without, cpu_with))
    return [cmd_without, cmd_with], walls


def cost_table(what: str, walls: list[tuple[float, float, float, float]]) -> list[str]:
    ratios = [w / wo for wo, w, _, _ in walls]
    cpu_ratios = [c / co for _, _, co, c in walls]
    return [f"{what}:", "",
            "| pair | bench wall without, s | with, s | ratio | CPU of the command without, s | with, s | ratio |",
            "|--:|--:|--:|--:|--:|--:|--:|",
            *[f"| {i + 1} | {wo:.2f} | {w:.2f} | {w / wo:.2f} | {co:.2f} | {c:.2f} | {c / co:.2f} |"
              for i, (wo, w, co, c) in enumerate(walls)], "",
            f"Median wall ratio {statistics.median(ratios):.2f} (from {min(ratios):.2f} to {max(ratios):.2f}); "
            f"median CPU ratio {statistics.median(cpu_ratios):.2f} (from {min(cpu_ratios):.2f} to "
            f"{max(cpu_ratios):.2f}); load average {os.getloadavg()[0]:.1f} on the 2-core machine at the end, so "
            "single pairs are noisy.", ""]


def fall_through_check() -> list[str]:
    """Each model's AOT inference as a bare-metal program under QEMU three times: without the plugin, with it,
    and with it following every block (`exact`): the taken branches of both rules, and the wall times."""
    qemu = ["qemu-system-arm", "-machine", "mps2-an386", "-nographic", "-semihosting-config",
            "enable=on,target=native", "-icount", "shift=0", "-kernel"]
    lines = ["| model (AOT program) | instructions | taken branches, rule | followed | cycles, rule | followed "
             "| difference | QEMU wall without plugin, s | with | followed |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for key, stem in MODELS.items():
        with tempfile.TemporaryDirectory() as d:
            work = Path(d)
            aot_program(REPO.parent / "shared" / "models" / f"{stem}.tflite", work, profile=False)
            elf = str(work / "bench.elf")
            walls, totals = [], []
            for extra in ([], plugin.qemu_args(plugin.library(), work / "rule.txt", None),
                          plugin.qemu_args(plugin.library(), work / "exact.txt", None, exact=True)):
                t = time.monotonic()
                subprocess.run([*qemu, elf, *extra], capture_output=True, check=True, timeout=600)
                walls.append(time.monotonic() - t)
            totals = [counts.read(work / f"{n}.txt", "exit")[0] for n in ("rule", "exact")]
        rule, exact = (timing.cycles(c.classes, timing.core_costs("cortex-m4f")) for c in totals)
        lines.append(f"| {key} | {totals[0].instructions:,} | {totals[0].classes['refill']:,} "
                     f"| {totals[1].classes['refill']:,} | {rule:,} | {exact:,} | {rule / exact - 1:+.3%} "
                     f"| {walls[0]:.2f} | {walls[1]:.2f} | {walls[2]:.2f} |")
    return lines


def table(results: dict) -> list[str]:
    lines = ["| model | runtime | instructions | -icount instructions | cycles, est. | cycles/MAC, est. "
             "| ms at 120 MHz (L4R5ZI), est. | uJ nano33, est. | uJ L4R5ZI, est. | CR2032 at 1/s, nano33, est. "
             "| CR2032 at 1/s, L4R5ZI, est. |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for key, (runs, macs) in results.items():
        for rt, r in runs.items():
            e, nano, l4 = r["estimate"], estimate_of(r, "nano33"), estimate_of(r, "nucleo_l4r5zi")
            lines.append(f"| {key} | {rt} | {e['instructions_per_run']:,} | {e['icount_instructions_per_run']:,} "
                         f"| {l4['cycles']:,} | {l4['cycles'] / macs:.2f} | {l4['ms']:.1f} | {nano['uj']:,.0f} "
                         f"| {l4['uj']:,.0f} | {nano['battery']['days']:.0f} days | {l4['battery']['days']:.0f} days |")
    return lines


def calibration(results: dict) -> list[str]:
    lines = ["| model | published, ms (v0.5 reference, TFLM 2.3.1) | published, ms (v1.1 microTVM + CMSIS-NN) "
             "| our TFLM + CMSIS-NN, est. ms | error vs v0.5 | error vs v1.1 | our AOT, est. ms |",
             "|---|--:|--:|--:|--:|--:|--:|"]
    errors = []
    for key, (runs, _) in results.items():
        ref, tvm = (1000 / PUBLISHED[p][key] for p in PUBLISHED)
        tflm, aot = (estimate_of(runs[rt], "nucleo_l4r5zi")["ms"] for rt in ("tflm", "aot"))
        errors.append(tflm / tvm - 1)
        lines.append(f"| {key} | {ref:.1f} | {tvm:.1f} | {tflm:.1f} | {tflm / ref - 1:+.0%} | {tflm / tvm - 1:+.0%} "
                     f"| {aot:.1f} |")
    lines += ["", "Published figures: the median throughput in mlcommons/tiny_results_v0.5 "
              "closed/reference/results/Nucleo-L4R5ZI/{kws,ic,vww,ad}/performance/results.txt and in "
              "mlcommons/tiny_results_v1.1 closed/Krai/results/README.md (microtvm_cmsis_nn), as 1000 / "
              "(inferences per second)."]
    lines += ["", f"Mean error of our TFLM estimate against the microTVM + CMSIS-NN measurement: "
              f"{statistics.mean(errors):+.0%} (from {min(errors):+.0%} to {max(errors):+.0%})."]
    kws = estimate_of(results["KWS"][0]["tflm"], "nucleo_l4r5zi")
    lines += ["", f"Energy: the v0.5 reference measured {PUBLISHED_KWS_UJ:,.0f} uJ per KWS inference (whole board "
              f"supply, 1.8 V, 182 ms: {PUBLISHED_KWS_UW / 1000:.1f} mW); our L4R5ZI estimate for today's TFLM is "
              f"{kws['uj']:,.0f} uJ (MCU alone, datasheet run current at 3.3 V, {kws['ms']:.0f} ms: "
              f"{kws['uj'] / kws['ms']:.1f} mW). The power agrees within {abs(kws['uj'] / kws['ms'] * 1000 / PUBLISHED_KWS_UW - 1):.0%}; "
              "the energy per inference differs as the time does."]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=6)  # per workload of COST_RUNS
    a = ap.parse_args()
    build = Path(os.environ.get("TOOLCHAIN_BUILD_DIR", REPO / "build"))
    cmds, results = measure_models(build)
    cost_cmds, cost_lines = [], []
    for what, (model, runtime, samples) in COST_RUNS.items():
        cmds_here, walls = measure_cost(model, runtime, samples, a.pairs)
        cost_cmds += cmds_here
        cost_lines += cost_table(what, walls)
    lines = [BEGIN, "## Estimates: cycles, milliseconds, energy and battery life (QEMU cycle model)", "",
             f"Measured {date.today()} on {machine()}.", "",
             "Every figure but the instructions is an **estimate** from the cycle model (qemu_plugins/tm_cycles.c, "
             "Cortex-M4 TRM timings, see docs/estimates.md): instructions counted exactly on QEMU, each priced by its "
             "timing class; energy is the datasheet run current x supply x time (MCU alone); battery life counts "
             "the sleep current between inferences at 1 inference per second on a 225 mAh CR2032. "
             "`-icount instructions` is QEMU's own count over the same timed runs (its virtual microseconds x 1,000, "
             "so exact to 1,000 instructions over the 5 timed runs: 200 per run).", "",
             *table(results), "",
             "Largest difference per run between the plugin's instructions and -icount's: "
             f"{max(abs(r['estimate']['instructions_per_run'] - r['estimate']['icount_instructions_per_run']) for runs, _ in results.values() for r in runs.values())} "
             "(within the 200 of -icount's resolution).", "",
             "### Beside MLPerf Tiny's published latencies on the NUCLEO-L4R5ZI (120 MHz)", "",
             *calibration(results), "",
             "The published figures are of other software: the v0.5 reference ran TFLM 2.3.1 (2020) built with "
             "GCC 6 on Mbed, which cannot be rebuilt here; microTVM compiles each model to its own C around "
             "CMSIS-NN kernels. Ours is TFLM of today with today's CMSIS-NN. The error column is therefore the "
             "model's error plus the software's difference: it bounds the model, it does not isolate it. One cause "
             "the model leaves out on purpose pulls the same way: at 120 MHz the L4R5's flash has 5 wait states, and "
             "the ART accelerator hides them for code but not for every weight read from flash (.rodata), so a real "
             "board spends cycles the model does not count.", "",
             "### The fall-through rule against following every block", "",
             "The plugin counts a conditional branch as not taken when the block at its fall-through address runs "
             "(one inline add per block, no callback). With `exact=on` it follows every block with a callback "
             "instead and counts the branches whose next block really was elsewhere. Each model's AOT inference "
             "as a bare-metal program (tests/aot/qemu_bench.py, whole program: start-up, one inference, exit):", "",
             *fall_through_check(), "",
             "### Cost of the cycle model", "",
             "Each pair: the same bench without (`--no-estimate`) and with the cycle model, back to back, the "
             "order alternating. `wall_seconds` of bench.json covers the build check, QEMU's boot, the latency "
             "runs and the samples streamed; CPU is that of the whole command (bench and its QEMU).", "",
             *cost_lines,
             *commands(cmds + cost_cmds), END]
    replace_section(REPO / "docs" / "benchmarks.md", BEGIN, END, lines)


if __name__ == "__main__":
    main()
