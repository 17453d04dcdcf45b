"""Where the AOT instructions go: per op family, the share of instructions
and the instructions per MAC of each MLPerf Tiny model on QEMU mps2-an386
(Cortex-M4F, DSP kernels, -O2, -icount shift=0, per-layer profile build of
tests/aot/c/bench_model.c), printed as the markdown of the section
"AOT kernels: where the instructions go" in docs/benchmarks.md.

    python scripts/aot_kernel_shares.py                      # this tree
    python scripts/aot_kernel_shares.py --before ../old    # plus a baseline checkout of the repo
"""

import argparse
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS = {"KWS": "kws_ref_model", "IC": "pretrainedResnet_quant", "VWW": "vww_96_int8", "AD": "ad01_int8"}

_MEASURE = """
import json, sys, tempfile
from pathlib import Path
try:
    from tests.aot import qemu_bench as bench
except ImportError:  # a tree from before the helpers became a package
    sys.path.insert(0, str(Path.cwd() / "tests" / "aot"))
    import bench
from toolchain.aot.lower import lower_graph
from toolchain.aot.reader import read_tflite
path = Path(sys.argv[1])
kinds = {}
for l in lower_graph(read_tflite(path)):
    kind = l.op
    if l.op == "CONV_2D":
        kind += " 1x1" if l.fields["k_h"] == l.fields["k_w"] == 1 else " kxk"
    kinds[l.index] = (kind, l.macs)
with tempfile.TemporaryDirectory() as d:
    plain = bench.measure(path, Path(d) / "a", profile=False)
    prof = bench.measure(path, Path(d) / "b", profile=True)
print(json.dumps({"instructions": plain["instructions"], "arena": plain["arena"],
                  "layers": [[i, kinds[i][0], n, kinds[i][1]] for i, _, n in prof["layers"]]}))
"""


def measure(tree: Path, model: Path) -> dict:
    import json
    r = subprocess.run([sys.executable, "-c", _MEASURE, str(model)], cwd=tree, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(tree)})
    if r.returncode:
        sys.exit(f"measuring {model} in {tree} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def families(m: dict) -> dict:
    fam: dict = defaultdict(lambda: [0, 0])
    for _, kind, n, macs in m["layers"]:
        fam[kind][0] += n
        fam[kind][1] += macs
    return fam


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="a checkout of the baseline commit")
    ap.add_argument("--models", type=Path, default=REPO.parent / "shared" / "models")
    args = ap.parse_args()
    rows = []
    for key, name in MODELS.items():
        path = (args.models / f"{name}.tflite").resolve()
        after = measure(REPO, path)
        before = measure(args.before.resolve(), path) if args.before else None
        rows.append((key, before, after))
    print("| model | instructions before | after | arena before (+ I/O) | after (incl. I/O) |")
    print("|---|---|---|---|---|")
    for key, b, a in rows:
        print(f"| {key} | {b['instructions']:,} | {a['instructions']:,} | {b['arena']:,} | {a['arena']:,} |"
              if b else f"| {key} | - | {a['instructions']:,} | - | {a['arena']:,} |")
    print()
    print("| model | op family | MACs | share before | share after | instr/MAC before | instr/MAC after |")
    print("|---|---|---|---|---|---|---|")
    for key, b, a in rows:
        fa = families(a)
        fb = families(b) if b else {}
        ta, tb = sum(v[0] for v in fa.values()), sum(v[0] for v in fb.values()) or 1
        for kind, (n, macs) in sorted(fa.items(), key=lambda kv: -kv[1][0]):
            if n < 0.005 * ta:
                continue
            nb = fb.get(kind, [0, 0])[0]
            ipm = lambda v: f"{v / macs:.2f}" if macs else "-"  # noqa: E731
            print(f"| {key} | {kind} | {macs:,} | {nb / tb:.0%} | {n / ta:.0%} | {ipm(nb) if b else '-'} | {ipm(n)} |")


if __name__ == "__main__":
    main()
