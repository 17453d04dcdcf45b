"""Benchmark the AOT runtime on QEMU mps2-an386 (Cortex-M4F, -icount shift=0)
and write docs/benchmarks.md.

    .venv/bin/python bench/qemu_m4.py [--models digits,kws,resnet]

Each model is benched twice with `toolchain bench`: plain (the instruction
count and memory figures) and with `--profile` (the per-op share; the
per-layer hooks add a few instructions, so totals come from the plain run).
TFLM figures are the reference measurements quoted in the AOT issue (same
QEMU machine and SysTick method, TFLM built with arm-none-eabi-gcc 12.2 -O2).
"""

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# relative to the repo, where the commands run
MODELS = {"digits": "digits", "kws": "../shared/models/kws_ref_model.tflite",
          "resnet": "../shared/models/pretrainedResnet_quant.tflite"}
# (instructions, arena bytes, flash bytes) for TFLM reference kernels / TFLM + CMSIS-NN
TFLM = {"kws": {"ref": (42.65e6, 22740, 108628), "cmsis": (7.95e6, 23940, 124848)},
        "resnet": {"ref": (107.19e6, 54292, None), "cmsis": (31.92e6, 54932, None)}}


def bench(model: str, profile: bool) -> tuple[list[str], dict]:
    cmd = ["toolchain", "bench", "--board", "qemu-m4", "--model", model, "--json"] + (["--profile"] if profile else [])
    exe = [str(REPO / ".venv" / "bin" / "toolchain")] + cmd[1:]
    r = subprocess.run(exe, capture_output=True, text=True, cwd=REPO)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return cmd, json.loads(r.stdout[r.stdout.index("{"):])


def macs(tflite: str) -> int:
    from toolchain.aot import compile_tflite

    with tempfile.TemporaryDirectory() as d:
        return compile_tflite(tflite, d).macs


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    qemu = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    gcc = subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"{cpu}, {platform.system()} {platform.release()}; {qemu}; {gcc}"


def op_shares(profiled: dict) -> str:
    per_op: dict[str, int] = defaultdict(int)
    for layer in profiled["latency"].get("layers", []):
        per_op[layer["op"]] += layer["value"]
    total = sum(per_op.values()) or 1
    return ", ".join(f"{op} {v / total:.0%}" for op, v in sorted(per_op.items(), key=lambda kv: -kv[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    rows, cmds = [], []
    for key in args.models.split(","):
        cmd, plain = bench(MODELS[key], profile=False)
        pcmd, profiled = bench(MODELS[key], profile=True)
        cmds += [" ".join(cmd), " ".join(pcmd)]
        manifest = json.loads((REPO / "build" / plain["model"] / "qemu-m4" / "manifest.json").read_text())
        n_macs = macs(REPO / manifest["deploy"])
        lat, mem, acc = plain["latency"], plain["memory"], plain["accuracy"]
        rows.append((key, n_macs, lat["instructions_median"], mem, acc, op_shares(profiled)))
    lines = [
        "# Benchmarks", "",
        f"Measured {date.today().isoformat()} by `bench/qemu_m4.py` on: {machine()}.", "",
        "Latency is guest instructions per inference on QEMU `mps2-an386` with `-icount shift=0` "
        "(SysTick, calibrated), median of 5 runs on the first held-out sample (the first seeded random input for "
        "the imported MLPerf models; counts vary slightly with the input): a deterministic proxy for cycles, "
        "not a time.", "",
        "Commands:", "", "```", *cmds, "```", "",
        "| model | MACs | instructions/inference | instr/MAC | arena B | flash B | static RAM B | stack B | "
        "device accuracy | agreement with host int8 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, n_macs, instr, mem, acc, _ in rows:
        ipm = f"{instr / n_macs:.2f}"
        dev = f"{acc['device'] * 100:.2f} %" if acc.get("device") is not None else "n/a (no labels)"
        lines.append(f"| {key} | {n_macs:,} | {instr:,} | {ipm} | {mem['arena_bytes']:,} | {mem['flash_bytes']:,} "
                     f"| {mem['ram_bytes']:,} | {mem['stack_bytes']:,} | {dev} | "
                     f"{acc['agreement'] * 100:.1f} % of {acc['samples']} |")
    lines += ["", "Share of instructions per op (from the `--profile` build):", ""]
    lines += [f"- {key}: {shares}" for key, *_, shares in rows]
    lines += ["", "TFLite Micro on the same QEMU machine (figures quoted in the AOT issue):", "",
              "| model | TFLM reference kernels: instructions / arena / flash | TFLM + CMSIS-NN |", "|---|---|---|"]
    for key, t in TFLM.items():
        fmt = lambda v: f"{v[0] / 1e6:.2f} M / {v[1]:,} B / " + (f"{v[2]:,} B" if v[2] else "-")  # noqa: E731
        lines.append(f"| {key} | {fmt(t['ref'])} | {fmt(t['cmsis'])} |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # the section bench/sweep_digits.py writes is kept
    old = out.read_text() if out.exists() else ""
    out.write_text("\n".join(lines) + "\n" + (old[old.index("\n## Sweeps\n"):] if "\n## Sweeps\n" in old else ""))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
