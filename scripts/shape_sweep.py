"""No shape left behind: single-op int8 models of awkward shapes (1-channel
inputs, depthwise with a multiplier > 1, odd channel counts, tall and wide
kernels, strides), each benched on QEMU with `toolchain bench --compare
tflm,aot`, printed as the markdown table of the section "Shape sweep: AOT
vs TFLM per op family" in docs/benchmarks.md.

    python scripts/shape_sweep.py --tflm-dir ../shared/third_party/tflite-micro [--board qemu-m4] [--only conv]

The models are generated here (seeded weights, tests/aot/tflite_builder.py);
nothing is downloaded. Each row is one `toolchain bench` run of both runtimes
on the same 3 inputs; the outputs must agree byte for byte. Tensors stay at
or below 4 KB: the serial harness loses sync on larger ones for now.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.aot.random_models import _act_tensor, _bias, _out_scale, _weights  # noqa: E402
from tests.aot.tflite_builder import ModelBuilder  # noqa: E402


def _same(size: int, stride: int) -> int:
    return (size + stride - 1) // stride


def conv(h, w, cin, cout, kh, kw, stride=1, act=1, dil=1):
    def build(rng):
        mb = ModelBuilder()
        x = _act_tensor(mb, rng, [1, h, w, cin], 0.05)
        s_in = mb.tensors[x]["scale"]
        wt, ws = _weights(mb, rng, [cout, kh, kw, cin], cout, 0)
        b = _bias(mb, rng, cout, s_in, ws)
        y = _act_tensor(mb, rng, [1, _same(h, stride), _same(w, stride), cout], _out_scale(rng, s_in, ws, kh * kw * cin))
        mb.op("CONV_2D", [x, wt, b], [y], padding=0, stride_w=stride, stride_h=stride, fused_activation_function=act,
              dilation_w_factor=dil, dilation_h_factor=dil)
        return mb.build([x], [y]), _same(h, stride) * _same(w, stride) * cout * kh * kw * cin
    return build


def depthwise(h, w, cin, mult, kh, kw, stride=1, act=1, dil=1):
    def build(rng):
        cout = cin * mult
        mb = ModelBuilder()
        x = _act_tensor(mb, rng, [1, h, w, cin], 0.05)
        s_in = mb.tensors[x]["scale"]
        wt, ws = _weights(mb, rng, [1, kh, kw, cout], cout, 3)
        b = _bias(mb, rng, cout, s_in, ws)
        y = _act_tensor(mb, rng, [1, _same(h, stride), _same(w, stride), cout], _out_scale(rng, s_in, ws, kh * kw))
        mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], padding=0, stride_w=stride, stride_h=stride,
              depth_multiplier=mult, fused_activation_function=act, dilation_w_factor=dil, dilation_h_factor=dil)
        return mb.build([x], [y]), _same(h, stride) * _same(w, stride) * cout * kh * kw
    return build


def fully_connected(din, dout, act=0):
    def build(rng):
        mb = ModelBuilder()
        x = _act_tensor(mb, rng, [1, din], 0.05)
        s_in = mb.tensors[x]["scale"]
        ws = np.full(dout, rng.uniform(0.002, 0.02))
        wt = mb.tensor([dout, din], "int8", ws[:1], [0], rng.integers(-127, 128, (dout, din)))
        b = mb.tensor([dout], "int32", [s_in * ws[0]], [0], rng.integers(-3000, 3000, dout))
        y = _act_tensor(mb, rng, [1, dout], _out_scale(rng, s_in, ws, din))
        mb.op("FULLY_CONNECTED", [x, wt, b], [y], fused_activation_function=act)
        return mb.build([x], [y]), din * dout
    return build


def pool(name, h, w, c, k, stride):
    def build(rng):
        mb = ModelBuilder()
        x = mb.tensor([1, h, w, c], "int8", 0.05, 3)
        y = mb.tensor([1, _same(h, stride), _same(w, stride), c], "int8", 0.05, 3)
        mb.op(name, [x], [y], padding=0, stride_w=stride, stride_h=stride, filter_width=k, filter_height=k,
              fused_activation_function=0)
        return mb.build([x], [y]), 0
    return build


# (family, shape description, model builder)
SHAPES = [
    ("CONV_2D 1-channel input", "49x10x1 -> 64, 10x4, stride 2 (KWS layer 0)", conv(49, 10, 1, 64, 10, 4, 2)),
    ("CONV_2D 1-channel input", "32x32x1 -> 8, 3x3", conv(32, 32, 1, 8, 3, 3)),
    ("CONV_2D 3-channel input", "32x32x3 -> 8, 3x3, stride 2", conv(32, 32, 3, 8, 3, 3, 2)),
    ("CONV_2D tall/wide kernel", "40x32x1 -> 8, 10x8, stride 2", conv(40, 32, 1, 8, 10, 8, 2)),
    ("CONV_2D tall/wide kernel", "20x16x4 -> 16, 8x10", conv(20, 16, 4, 16, 8, 10)),
    ("CONV_2D odd channels", "16x16x5 -> 11, 3x3", conv(16, 16, 5, 11, 3, 3)),
    ("CONV_2D 1x1", "16x16x8 -> 16", conv(16, 16, 8, 16, 1, 1)),
    ("CONV_2D 1x1", "16x16x7 -> 13 (odd)", conv(16, 16, 7, 13, 1, 1)),
    ("CONV_2D 1x1", "8x8x64 -> 64", conv(8, 8, 64, 64, 1, 1)),
    ("DEPTHWISE_CONV_2D 3x3", "16x16x16, stride 1", depthwise(16, 16, 16, 1, 3, 3)),
    ("DEPTHWISE_CONV_2D 3x3", "16x16x16, stride 2", depthwise(16, 16, 16, 1, 3, 3, 2)),
    ("DEPTHWISE_CONV_2D odd channels", "24x24x5, 3x3", depthwise(24, 24, 5, 1, 3, 3)),
    ("DEPTHWISE_CONV_2D multiplier > 1", "16x16x8, multiplier 2, 3x3", depthwise(16, 16, 8, 2, 3, 3)),
    ("DEPTHWISE_CONV_2D multiplier > 1", "16x16x1, multiplier 8, 3x3", depthwise(16, 16, 1, 8, 3, 3)),
    ("DEPTHWISE_CONV_2D 5x5", "16x16x16, 5x5", depthwise(16, 16, 16, 1, 5, 5)),
    ("FULLY_CONNECTED", "256 -> 64", fully_connected(256, 64)),
    ("FULLY_CONNECTED", "250 -> 10 (odd)", fully_connected(250, 10)),
    ("AVERAGE_POOL_2D", "16x16x16, 2x2 stride 2", pool("AVERAGE_POOL_2D", 16, 16, 16, 2, 2)),
    ("MAX_POOL_2D", "16x16x16, 3x3 stride 2", pool("MAX_POOL_2D", 16, 16, 16, 3, 2)),
    # appended, so the rows above keep their seeds
    ("DEPTHWISE_CONV_2D odd channels", "24x24x3, 3x3", depthwise(24, 24, 3, 1, 3, 3)),
    ("DEPTHWISE_CONV_2D odd channels", "16x16x7, 3x3", depthwise(16, 16, 7, 1, 3, 3)),
    ("DEPTHWISE_CONV_2D odd channels", "12x12x13, 3x3", depthwise(12, 12, 13, 1, 3, 3)),
    ("DEPTHWISE_CONV_2D odd channels", "24x24x5, 3x3, stride 2", depthwise(24, 24, 5, 1, 3, 3, 2)),
    ("DEPTHWISE_CONV_2D odd channels", "16x16x5, 5x5", depthwise(16, 16, 5, 1, 5, 5)),
    ("DEPTHWISE_CONV_2D multiplier > 1", "16x16x3, multiplier 3, 3x3", depthwise(16, 16, 3, 3, 3, 3)),
    # What the converter writes for small audio and sensor models: 1 and 2 input channels, multipliers 2 to 8
    # (a 1-channel Conv2D arrives as a depthwise), Conv1D as 1xN (time along W) or Nx1 (along H), strides 2
    # and 3, dilation.
    ("DEPTHWISE_CONV_2D 1 channel", "49x40x1, multiplier 8, 10x8, stride 2 (micro_speech)",
     depthwise(49, 40, 1, 8, 10, 8, 2)),
    ("DEPTHWISE_CONV_2D 1 channel", "1x128x1, multiplier 4, 1x9, stride 2", depthwise(1, 128, 1, 4, 1, 9, 2)),
    ("DEPTHWISE_CONV_2D 1 channel", "96x1x1, multiplier 8, 9x1, stride 3", depthwise(96, 1, 1, 8, 9, 1, 3)),
    ("DEPTHWISE_CONV_2D 1 channel", "1x128x1, multiplier 2, 1x3, dilation 2", depthwise(1, 128, 1, 2, 1, 3, dil=2)),
    ("DEPTHWISE_CONV_2D 1 channel", "32x32x1, multiplier 3, 3x3, stride 3", depthwise(32, 32, 1, 3, 3, 3, 3)),
    ("DEPTHWISE_CONV_2D 2 channels", "32x32x2, multiplier 2, 3x3, stride 2", depthwise(32, 32, 2, 2, 3, 3, 2)),
    ("DEPTHWISE_CONV_2D 2 channels", "49x10x2, multiplier 4, 10x4, stride 2", depthwise(49, 10, 2, 4, 10, 4, 2)),
    ("DEPTHWISE_CONV_2D 2 channels", "1x128x2, multiplier 8, 1x5, stride 3", depthwise(1, 128, 2, 8, 1, 5, 3)),
    ("DEPTHWISE_CONV_2D 2 channels", "64x1x2, multiplier 3, 5x1, stride 2", depthwise(64, 1, 2, 3, 5, 1, 2)),
    ("DEPTHWISE_CONV_2D 2 channels", "1x128x2, multiplier 2, 1x3, dilation 2", depthwise(1, 128, 2, 2, 1, 3, dil=2)),
    ("DEPTHWISE_CONV_2D 2 channels", "24x24x2, multiplier 5, 3x3, stride 3", depthwise(24, 24, 2, 5, 3, 3, 3)),
    ("DEPTHWISE_CONV_2D 2 channels", "24x24x2, multiplier 2, 3x3, dilation 2", depthwise(24, 24, 2, 2, 3, 3, dil=2)),
    ("CONV_2D 1-2 channels", "1x128x2 -> 16, 1x5, stride 2", conv(1, 128, 2, 16, 1, 5, 2)),
    ("CONV_2D 1-2 channels", "96x1x1 -> 8, 9x1, stride 3", conv(96, 1, 1, 8, 9, 1, 3)),
    ("CONV_2D 1-2 channels", "1x128x2 -> 8, 1x3, dilation 2", conv(1, 128, 2, 8, 1, 3, dil=2)),
    ("CONV_2D 1-2 channels", "32x32x2 -> 8, 3x3, stride 3", conv(32, 32, 2, 8, 3, 3, 3)),
    ("CONV_2D 1-2 channels", "24x24x1 -> 8, 3x3, dilation 2", conv(24, 24, 1, 8, 3, 3, dil=2)),
]


def bench_one(tflite: Path, board: str, tflm_dir: str, work: Path) -> dict:
    cmd = [sys.executable, "-m", "toolchain", "bench", "--board", board, "--model", str(tflite), "--compare",
           "tflm,aot", "--samples", "3", "--json", "--tflm-dir", tflm_dir]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for _ in range(2):  # one retry: the serial link to QEMU occasionally loses sync on large tensors
        proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env)
        if proc.returncode == 0:
            break
    if proc.returncode:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    data = json.loads(proc.stdout)
    rows = {r["what"]: r["values"] for r in data["compare"]["rows"]}
    agree = data["compare"]["outputs"]["aot_vs_tflm"]["agreement"]
    return {"tflm": rows["instructions / inference"]["tflm"], "aot": rows["instructions / inference"]["aot"],
            "agreement": agree}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", default="qemu-m4")
    ap.add_argument("--tflm-dir", default=os.environ.get("TOOLCHAIN_TFLM_DIR", str(REPO.parent / "shared" / "third_party" / "tflite-micro")))
    ap.add_argument("--only", default="", help="substring of the op family to run")
    ap.add_argument("--skip", type=int, default=0, help="start at this row (after an interrupted run)")
    ap.add_argument("--rows", default="", help="only these rows, e.g. 25,31 (0-based, as seeded)")
    args = ap.parse_args()
    args.tflm_dir = str(Path(args.tflm_dir).resolve())  # each bench runs in a temporary directory
    print("| op family | shape | MACs | TFLM + CMSIS-NN instructions | AOT instructions | AOT / TFLM | outputs identical |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, (family, shape, build) in enumerate(SHAPES):
            rows = {int(r) for r in args.rows.split(",") if r}
            if (args.only and args.only not in family) or n < args.skip or (rows and n not in rows):
                continue
            model, macs = build(np.random.default_rng(n))
            path = work / f"shape{n}.tflite"
            path.write_bytes(model)
            r = bench_one(path, args.board, args.tflm_dir, work)
            if "error" in r:
                print(f"| {family} | {shape} | {macs:,} | error: {r['error']} | | | |", flush=True)
                continue
            ratio = r["aot"] / r["tflm"] if r["tflm"] else float("nan")
            print(f"| {family} | {shape} | {macs:,} | {r['tflm']:,} | {r['aot']:,} | {ratio:.2f} | "
                  f"{'yes' if r['agreement'] == 1.0 else r['agreement']} |", flush=True)


if __name__ == "__main__":
    main()
