"""`toolchain validate` on qemu-m4 for every model and both runtimes: is each
layer's device output identical to TFLite Micro's host reference, and what
does a full validation of VWW cost. Written into docs/benchmarks.md between
the `validate:begin/end` markers (other sections are left as they are).

    .venv/bin/python scripts/validate_agreement.py [--models digits,keywords,kws,resnet,vww,ad] [--samples 20]

Every run is `toolchain validate --board qemu-m4 --model M --runtime R
--samples N --json` from the repository root; TFLM comes from
TOOLCHAIN_TFLM_DIR (its CMSIS-NN kernels, as `toolchain build` uses them).
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from docs_section import commands, machine, replace_section, run

REPO = Path(__file__).resolve().parent.parent
SHARED = "../shared/models"
# key -> (label, --model as typed from the repo root)
MODELS = {"digits": ("digits", "digits"), "keywords": ("keywords", "keywords"),
          "kws": ("KWS", f"{SHARED}/kws_ref_model.tflite"), "resnet": ("ResNet-8", f"{SHARED}/pretrainedResnet_quant.tflite"),
          "vww": ("VWW", f"{SHARED}/vww_96_int8.tflite"), "ad": ("AD", f"{SHARED}/ad01_int8.tflite")}
RUNTIMES = ("aot", "tflm")
BEGIN, END = "<!-- validate:begin -->", "<!-- validate:end -->"


def cell(r: dict) -> str:
    layers = r["layers"]
    same = sum(1 for l in layers if l["status"] == "identical")
    if same == len(layers):
        return f"all {len(layers)} identical"
    first = r["first_difference"]
    return f"{same}/{len(layers)} identical" + (f"; first difference layer {first['index']} ({first['op']})" if first else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--samples", type=int, default=20)
    args = ap.parse_args()
    keys = [k for k in args.models.split(",") if k]
    if unknown := [k for k in keys if k not in MODELS]:
        sys.exit(f"unknown model(s) {', '.join(unknown)}: use {', '.join(MODELS)}")
    rows, cmds, cost = [], [], None
    for key in keys:
        label, ref = MODELS[key]
        cells = []
        for rt in RUNTIMES:
            started = time.monotonic()
            cmd, r = run(["validate", "--board", "qemu-m4", "--model", ref, "--runtime", rt,
                          "--samples", str(args.samples)])
            wall = time.monotonic() - started
            cmds.append(cmd)
            cells.append(f"{cell(r)} ({r['samples_received']} samples)")
            if key == "vww" and rt == "aot":
                total = sum(l["bytes"] for l in r["layers"])
                cost = (cmd, wall, r["wall_seconds"], len(r["layers"]), total, r["link"]["outputs_by"])
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    lines = [BEGIN, "## Validation: every layer on the device against the host", "",
             f"Measured {date.today().isoformat()} on {machine()}.", "",
             "Each layer's output on qemu-m4 against TFLite Micro's reference interpreter on the host "
             "(the `tflite-micro` wheel, every tensor preserved), byte for byte, over "
             f"{args.samples} held-out samples (seeded random inputs for the imported MLPerf models). TFLM on the "
             "device runs its CMSIS-NN kernels.", "",
             "| model | aot | tflm |", "|---|---|---|", *rows]
    if cost:
        cmd, wall, inside, n_layers, total, how = cost
        lines += ["", f"Cost: `{cmd}` compared {n_layers} layers ({total:,} B of outputs per sample, returned by "
                      f"{'semihosting file' if how == 'file' else 'hex lines'}) in {wall:.1f} s for the whole command "
                      f"({inside:.1f} s from its start to validate.json, firmware build included when it was stale); the budget "
                      "is 3 minutes."]
    lines += commands(cmds) + [END]
    replace_section(REPO / "docs" / "benchmarks.md", BEGIN, END, lines)


if __name__ == "__main__":
    main()
