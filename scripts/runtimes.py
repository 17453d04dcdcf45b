"""TFLite Micro against the AOT runtime on the QEMU Cortex-M boards, every
figure measured by `toolchain bench --compare tflm,aot` (same firmware harness,
identical inputs), written into docs/benchmarks.md between the
`runtimes:begin/end` markers (other sections are left as they are).

    .venv/bin/python scripts/runtimes.py [--models digits,kws,resnet,vww,ad] [--tflm-dir DIR]

Per model on qemu-m4: `--compare tflm,aot` (TFLM with CMSIS-NN kernels),
TFLM with `--kernels reference`, and the AOT build with `--profile` for the
per-op shares; then each model's `--compare tflm,aot` on qemu-m7. TFLM comes from `--tflm-dir` (default
../shared/third_party/tflite-micro, its commit read from SOURCE.md).
"""

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

from docs_section import commands, machine, replace_section, run

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from toolchain import manifest  # noqa: E402

SHARED = "../shared/models"
# key -> (--model as typed from the repo root, --samples or None for the whole held-out split)
MODELS = {"digits": ("digits", None), "kws": (f"{SHARED}/kws_ref_model.tflite", 20),
          "resnet": (f"{SHARED}/pretrainedResnet_quant.tflite", 20), "vww": (f"{SHARED}/vww_96_int8.tflite", 20),
          "ad": (f"{SHARED}/ad01_int8.tflite", 20)}
BEGIN, END = "<!-- runtimes:begin -->", "<!-- runtimes:end -->"


def macs(tflite: Path) -> int:
    from toolchain.aot import compile_tflite

    with tempfile.TemporaryDirectory() as d:
        return compile_tflite(tflite, d).macs


def tflm_commit(tree: Path) -> str:
    source = tree / "SOURCE.md"
    found = re.search(r"\| TFLM \| \S+ \| ([0-9a-f]{40}) \| ([^|]+)\|", source.read_text()) if source.is_file() else None
    return f"{found.group(1)[:12]} ({found.group(2).strip()})" if found else "unknown commit"


def shares(profiled: dict) -> str:
    per_op: dict[str, int] = defaultdict(int)
    for layer in profiled["latency"].get("layers", []):
        per_op[layer["op"]] += layer["value"]
    total = sum(per_op.values()) or 1
    return ", ".join(f"{op} {v / total:.0%}" for op, v in sorted(per_op.items(), key=lambda kv: -kv[1]))


def row_values(table: dict, what: str) -> dict:
    return next(r["values"] for r in table["rows"] if r["what"] == what)


def fmt(v) -> str:
    return "n/a" if v is None else f"{v:,}"


def measure(key: str, board: str, tree: str, reference: bool, profile: bool) -> dict:
    model, samples = MODELS[key]
    common = ["--board", board, "--model", model, "--tflm-dir", tree] + (["--samples", str(samples)] if samples else [])
    out = {"cmds": []}
    cmd, out["compare"] = run(["bench", *common, "--compare", "tflm,aot"])
    out["cmds"].append(cmd)
    if reference:
        cmd, out["reference"] = run(["bench", *common, "--runtime", "tflm", "--kernels", "reference"])
        out["cmds"].append(cmd)
    if profile:
        cmd, out["profile"] = run(["bench", *common, "--runtime", "aot", "--profile"])
        out["cmds"].append(cmd)
    m = manifest.read(REPO / "build" / out["compare"]["model"] / board)
    out["macs"] = macs(REPO / m["deploy"])
    return out


def section(results: dict, tree: Path) -> list[str]:
    where = tree.relative_to(REPO.parent) if tree.is_relative_to(REPO.parent) else tree
    lines = [BEGIN, "## TFLite Micro and the AOT runtime, side by side", "",
             f"Measured {date.today().isoformat()} by `scripts/runtimes.py` on: {machine()}. TFLM: the tree in "
             f"`../{where}`, upstream commit {tflm_commit(tree)}, built with the flags of its SOURCE.md.", "",
             "Instructions per inference are guest instructions on QEMU with `-icount shift=0` (SysTick, "
             "calibrated), the median of 5 runs on the first held-out sample (the first seeded random input for "
             "the imported MLPerf models): a deterministic proxy for cycles, not a time. `arena + io` counts every "
             "byte of model tensors; both runtimes plan the model's input and output inside their arena "
             "(io 0). TFLM's arena is its own `arena_used_bytes()` read on the device.", "",
             "| model | board | MACs | TFLM + CMSIS-NN instr. | TFLM reference instr. | AOT instr. (per MAC) | AOT / TFLM "
             "| TFLM arena + io | AOT arena + io | TFLM flash | AOT flash | TFLM stack | AOT stack | outputs identical |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (key, board), r in results.items():
        t = r["compare"]["compare"]
        ins = row_values(t, "instructions / inference")
        like = row_values(t, "arena + io (like for like)")
        flash = row_values(t, "flash (whole firmware)")
        stack = row_values(t, "stack used")
        ref = r.get("reference")
        ref_ins = fmt(ref["latency"]["instructions_median"]) if ref else "-"
        if ref and ref["accuracy"]["agreement"] != 1.0:
            ref_ins += " (outputs differ from the host!)"
        same = t["outputs"]["aot_vs_tflm"]
        host = t["agreement_with_host"]
        lines.append(
            f"| {key} | {board} | {r['macs']:,} | {fmt(ins['tflm'])} | {ref_ins} | {fmt(ins['aot'])} "
            f"({ins['aot'] / r['macs']:.2f}) | {ins['aot'] / ins['tflm']:.2f} | {fmt(like['tflm'])} | {fmt(like['aot'])} "
            f"| {fmt(flash['tflm'])} | {fmt(flash['aot'])} | {fmt(stack['tflm'])} | {fmt(stack['aot'])} "
            f"| {same['identical']}/{same['samples']} (host agreement: tflm {host['tflm']:.2f}, aot {host['aot']:.2f}) |")
    lines += ["", "AOT share of instructions per op (`--profile` build):", ""]
    lines += [f"- {key}: {shares(r['profile'])}" for (key, _), r in results.items() if "profile" in r]
    return lines + commands([c for r in results.values() for c in r["cmds"]]) + [END]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--tflm-dir", default="../shared/third_party/tflite-micro")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    tree = (REPO / args.tflm_dir).resolve()
    keys = args.models.split(",")
    results = {}
    for key in keys:
        results[(key, "qemu-m4")] = measure(key, "qemu-m4", args.tflm_dir, reference=True, profile=True)
        print(f"{key} on qemu-m4 done", file=sys.stderr)
    for key in keys:  # the Cortex-M7 (QEMU counts instructions; it does not model the M7's dual issue)
        results[(key, "qemu-m7")] = measure(key, "qemu-m7", args.tflm_dir, reference=False, profile=False)
        print(f"{key} on qemu-m7 done", file=sys.stderr)
    replace_section(Path(args.out), BEGIN, END, section(results, tree))


if __name__ == "__main__":
    main()
