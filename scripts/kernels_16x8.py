"""Instructions of the 16x8 DSP twins against the portable kernels, on single-op models (seeded weights
and inputs) compiled by the AOT generator and run on qemu-m4 (`measure()` of `tests/aot/qemu_bench.py`, a
plain -O2 build, no profiling).

    python scripts/kernels_16x8.py

One line per model: the op and shape, portable and DSP instructions, and their ratio. The DSP build's
outputs are checked elsewhere (tests/aot/test_16x8.py, tests/firmware/kernels/); this only counts.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.aot.qemu_bench import measure  # noqa: E402
from tests.aot.tflite_builder import ModelBuilder  # noqa: E402

# (h, w, input channels, depth multiplier, kernel h, kernel w, stride), SAME padding, ReLU
DEPTHWISE = [(16, 16, 16, 1, 3, 3, 1), (25, 5, 8, 1, 3, 3, 1), (49, 10, 64, 1, 3, 3, 1), (16, 16, 4, 4, 3, 3, 1),
             (49, 40, 1, 8, 10, 8, 2), (16, 16, 8, 2, 3, 3, 1), (16, 16, 3, 3, 3, 3, 1)]
SHAPE = (1, 16, 16, 16)  # ADD, MUL and AVERAGE_POOL_2D input


def depthwise(h, w, cin, mult, kh, kw, s, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    cout = cin * mult
    mb = ModelBuilder()
    x = mb.tensor([1, h, w, cin], "int16", 5e-4, 0)
    ws = rng.uniform(0.002, 0.02, cout)
    wt = mb.tensor([1, kh, kw, cout], "int8", ws, np.zeros(cout, np.int64), rng.integers(-127, 128, (1, kh, kw, cout)),
                   axis=3)
    b = mb.tensor([cout], "int64", 5e-4 * ws, np.zeros(cout, np.int64), rng.integers(-30000, 30000, cout))
    y = mb.tensor([1, -(-h // s), -(-w // s), cout], "int16", 2e-3, 0)
    mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], padding=0, stride_w=s, stride_h=s, depth_multiplier=mult,
          fused_activation_function=1, dilation_w_factor=1, dilation_h_factor=1)
    return mb.build([x], [y])


def elementwise(name: str, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    mb = ModelBuilder()
    a = mb.tensor(list(SHAPE), "int16", 4e-4, 0)
    b = mb.tensor(list(SHAPE), "int16", 3e-4, 0, rng.integers(-32768, 32768, SHAPE))
    y = mb.tensor(list(SHAPE), "int16", 8e-4 if name == "ADD" else 4e-4 * 3e-4 * 32768 * 0.2, 0)
    mb.op(name, [a, b], [y], fused_activation_function=0)
    return mb.build([a], [y])


def average_pool(k: int, s: int) -> bytes:
    mb = ModelBuilder()
    x = mb.tensor(list(SHAPE), "int16", 4e-4, 0)
    o = -(-SHAPE[1] // s)
    y = mb.tensor([1, o, o, SHAPE[3]], "int16", 4e-4, 0)
    mb.op("AVERAGE_POOL_2D", [x], [y], padding=0, stride_w=s, stride_h=s, filter_width=k, filter_height=k,
          fused_activation_function=0)
    return mb.build([x], [y])


def models():
    for d in DEPTHWISE:
        yield f"DEPTHWISE_CONV_2D {d[0]}x{d[1]}x{d[2]} multiplier {d[3]} kernel {d[4]}x{d[5]} stride {d[6]}", depthwise(*d)
    shape = "x".join(map(str, SHAPE[1:]))
    yield f"ADD {shape}", elementwise("ADD")
    yield f"MUL {shape}", elementwise("MUL")
    yield f"AVERAGE_POOL_2D {shape} 2x2 stride 2", average_pool(2, 2)
    yield f"AVERAGE_POOL_2D {shape} 3x3 stride 1", average_pool(3, 1)


def main() -> None:
    for label, model in models():
        counts = {}
        for kernels in ("portable", "dsp"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "model.tflite"
                path.write_bytes(model)
                counts[kernels] = measure(path, Path(tmp), kernels=kernels, profile=False)["instructions"]
        print(f"{label}: portable {counts['portable']:,}, dsp {counts['dsp']:,}, "
              f"{counts['dsp'] / counts['portable']:.2f} x", flush=True)


if __name__ == "__main__":
    main()
