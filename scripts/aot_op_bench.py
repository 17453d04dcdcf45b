"""Instructions per inference of one model per AOT op added for imported models (issue 20), AOT vs TFLM with
CMSIS-NN, on qemu-m4 through `toolchain bench --compare tflm,aot`; prints the markdown table of the section
"AOT ops for imported models" in docs/benchmarks.md.

    python scripts/aot_op_bench.py OUT_DIR    # writes OUT_DIR/<op>.tflite, benches each, OUT_DIR/bench.json

The models are single ops with int8 input and output at one representative shape (SPLIT's pieces are
joined back by a CONCATENATION: the model has one output), and the Keras model of
tests/aot/test_imported_ops.py that the TF converter turns into all seven ops with convolutions around them."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.aot.tflite_builder import ModelBuilder  # noqa: E402


def _act(mb, shape, scale=0.05, zp=-3):
    return mb.tensor(shape, "int8", scale, zp)


def _i32(mb, values):
    return mb.tensor([len(values)], "int32", data=np.array(values, np.int32))


def models(rng) -> dict[str, tuple[str, bytes]]:
    """op -> (shape description, .tflite bytes)."""
    out = {}
    mb = ModelBuilder()
    x, a, b, y = _act(mb, [1, 8, 8, 16]), _act(mb, [1, 8, 8, 8]), _act(mb, [1, 8, 8, 8]), _act(mb, [1, 8, 8, 16])
    mb.op("SPLIT", [mb.tensor([], "int32", data=np.array(3, np.int32)), x], [a, b], num_splits=2)
    mb.op("CONCATENATION", [b, a], [y], axis=3)
    out["SPLIT"] = ("[1,8,8,16] into 2 on channels (+ CONCATENATION)", mb.build([x], [y]))

    mb = ModelBuilder()
    x, y = _act(mb, [1, 8, 8, 32]), _act(mb, [1, 8, 8, 16])
    mb.op("STRIDED_SLICE", [x, _i32(mb, [0, 0, 0, 8]), _i32(mb, [1, 8, 8, 24]), _i32(mb, [1, 1, 1, 1])], [y])
    out["STRIDED_SLICE"] = ("[1,8,8,32] -> channels 8:24", mb.build([x], [y]))

    mb = ModelBuilder()
    x, y = _act(mb, [1, 8, 8, 32]), _act(mb, [1, 8, 8, 16])
    mb.op("GATHER", [x, _i32(mb, [31, 0, 7, 12, 3, 3, 20, 9, 1, 2, 4, 5, 6, 8, 10, 11])], [y], axis=3)
    out["GATHER"] = ("[1,8,8,32], 16 channels picked", mb.build([x], [y]))

    mb = ModelBuilder()
    x, y = _act(mb, [1, 8, 8, 4]), _act(mb, [1, 16, 16, 4])
    mb.op("RESIZE_NEAREST_NEIGHBOR", [x, _i32(mb, [16, 16])], [y])
    out["RESIZE_NEAREST_NEIGHBOR"] = ("[1,8,8,4] -> [1,16,16,4]", mb.build([x], [y]))

    mb = ModelBuilder()
    x, y = _act(mb, [1, 8, 8, 16]), _act(mb, [1, 8, 8, 16], 0.04, 5)
    alpha = mb.tensor([1, 1, 16], "int8", 0.002, 0, rng.integers(-128, 128, (1, 1, 16)))
    mb.op("PRELU", [x, alpha], [y])
    out["PRELU"] = ("[1,8,8,16], alpha per channel", mb.build([x], [y]))

    mb = ModelBuilder()
    x, y = _act(mb, [1, 16, 32]), _act(mb, [1, 16, 16], 0.5, 0)
    mb.op("BATCH_MATMUL", [x, x], [y], adj_x=False, adj_y=True)
    out["BATCH_MATMUL"] = ("[1,16,32] x its transpose", mb.build([x], [y]))

    mb = ModelBuilder()
    x, y = _act(mb, [1, 8, 8, 16]), _act(mb, [1, 16, 16, 4], 0.1, 0)
    w = mb.tensor([4, 3, 3, 16], "int8", np.full(4, 0.01), np.zeros(4, np.int64),
                  rng.integers(-127, 128, (4, 3, 3, 16)), axis=0)
    bias = mb.tensor([4], "int32", np.full(4, 0.0005), np.zeros(4, np.int64), rng.integers(-500, 500, 4))
    mb.op("TRANSPOSE_CONV", [_i32(mb, [1, 16, 16, 4]), w, x, bias], [y], padding=0, stride_h=2, stride_w=2)
    out["TRANSPOSE_CONV"] = ("[1,8,8,16] -> [1,16,16,4], 3x3, stride 2", mb.build([x], [y]))

    from tests.aot.test_imported_ops import keras_model_with_the_ops
    out["all seven"] = ("Keras model through the TF converter, 17 layers", keras_model_with_the_ops())
    return out


def bench(path: Path) -> dict:
    tflm = REPO.parent / "shared" / "third_party" / "tflite-micro"
    cmd = [sys.executable, "-m", "toolchain", "bench", "--board", "qemu-m4", "--model", str(path), "--samples", "3",
           "--compare", "tflm,aot", "--json", "--tflm-dir", str(tflm)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def table(rows: list) -> str:
    """The markdown table of (op, shape, bench --json of --compare tflm,aot) rows."""
    lines = ["| op | model | MACs | TFLM + CMSIS-NN instr. | AOT instr. | AOT / TFLM | TFLM arena | AOT arena | "
             "TFLM flash | AOT flash | outputs identical |", "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for op, shape, result in rows:
        v = {r["what"]: r["values"] for r in result["compare"]["rows"]}
        ins, arena, flash = v["instructions / inference"], v["arena"], v["flash (whole firmware)"]
        same = result["compare"]["outputs"]["aot_vs_tflm"]
        macs = sum(layer["macs"] for layer in result["firmware"]["layers"])
        lines.append(f"| {op} | {shape} | {macs:,} | {ins['tflm']:,} | {ins['aot']:,} | "
                     f"{ins['aot'] / ins['tflm']:.2f} | {arena['tflm']:,} | {arena['aot']:,} | {flash['tflm']:,} | "
                     f"{flash['aot']:,} | {same['identical']}/{same['samples']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder for the generated models and bench.json (every result)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for op, (shape, data) in models(np.random.default_rng(0)).items():
        path = args.out / f"{op.lower().replace(' ', '_')}.tflite"
        path.write_bytes(data)
        rows.append((op, shape, bench(path)))
        print(f"{op}: done", file=sys.stderr)
    (args.out / "bench.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
