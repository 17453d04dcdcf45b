"""Time the import of a 1 M-parameter ONNX model, calibration included, and say where the time goes
(docs/byom.md). The model is written here with onnx.helper (seeded weights, no PyTorch): a CNN on
3x32x32 inputs, four 3x3 convolutions (64, 128, 256, 272 channels: 1.0 M parameters), global pooling and a Linear layer.

    python scripts/onnx_import_time.py [samples]

First the stages one by one in this process (CPU seconds and wall), then the command a user runs,
`toolchain optimize --model big.onnx --calibration cal.npy`, in a fresh process (wall, and its CPU
seconds from the kernel's accounting of children), which also runs the per-layer SQNR comparison and
the TFLM arena measurement.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from toolchain.evaluate import io_quant
from toolchain.evaluate.reference import tflm_outputs
from toolchain.importer import int8_agreement, read, to_device_layout, to_keras
from toolchain.importer.parity import float_parity, layer_sqnr, onnxruntime_outputs
from toolchain.optimize.quantize import to_tflite


def big_cnn() -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    inits, nodes, x, c_in = [], [], "input", 3
    for i, c in enumerate((64, 128, 256, 272)):
        w = rng.normal(0, np.sqrt(2 / (9 * c_in)), (c, c_in, 3, 3)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(np.zeros(c, np.float32), f"b{i}")]
        nodes += [helper.make_node("Conv", [x, f"w{i}", f"b{i}"], [f"c{i}"], pads=[1, 1, 1, 1],
                                   strides=[2, 2] if i else [1, 1]),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"])]
        x, c_in = f"r{i}", c
    inits += [numpy_helper.from_array(rng.normal(0, 0.05, (10, c_in)).astype(np.float32), "wf"),
              numpy_helper.from_array(np.zeros(10, np.float32), "bf")]
    nodes += [helper.make_node("GlobalAveragePool", [x], ["g"]), helper.make_node("Flatten", ["g"], ["f"]),
              helper.make_node("Gemm", ["f", "wf", "bf"], ["logits"], transB=1)]
    graph = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main(samples: int = 300) -> None:
    proto = big_cnn()
    params = sum(int(np.prod(i.dims)) for i in proto.graph.initializer)
    x = np.random.default_rng(1).uniform(0, 1, (samples, 3, 32, 32)).astype(np.float32)
    times = {}
    load = os.getloadavg()
    t_all, c_all = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "big.onnx"
        onnx.save(proto, str(path))
        t, c = time.perf_counter(), time.process_time()
        model = read(path)
        times["read + shape inference"] = (time.perf_counter() - t, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        converted = to_keras(model)  # includes the TensorFlow import on first use
        times["lower to Keras (incl. TensorFlow import)"] = (time.perf_counter() - t, time.process_time() - c)
        x_device = to_device_layout(x, model.input_shape, converted.input_perm)
        t, c = time.perf_counter(), time.process_time()
        reference = onnxruntime_outputs(model, x)
        times["ONNX Runtime float outputs"] = (time.perf_counter() - t, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        parity = float_parity(reference, converted.keras_model.predict(x_device, verbose=0), "random")
        times["converted float outputs"] = (time.perf_counter() - t, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        tfl = to_tflite(converted.keras_model, "int8", x_device)
        times["int8 quantization (TFLite converter, calibration)"] = (time.perf_counter() - t, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        qin, _ = io_quant(tfl)
        (Path(d) / "int8.tflite").write_bytes(tfl)
        raw = tflm_outputs(Path(d) / "int8.tflite", qin.quantize(x_device))
        times["TFLM host int8 outputs (agreement)"] = (time.perf_counter() - t, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        layer_sqnr(to_tflite(converted.keras_model, "float", x_device), tfl, x_device)
        times["per-layer SQNR (float .tflite + both interpreters)"] = (time.perf_counter() - t, time.process_time() - c)
        total, cpu = time.perf_counter() - t_all, time.process_time() - c_all
        cli = command(path, x)
    print(f"{params:,} parameters, {samples} calibration samples: {total:.1f} s wall, {cpu:.1f} s CPU in all")
    for k, (wall, cpu) in times.items():
        print(f"  {k}: {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"  max |diff| {parity['onnx_vs_converted_max_abs_diff']:.2e}, int8 vs float top-1 agreement "
          f"{int8_agreement(reference, raw, 0.99)['int8_vs_float_top1_agreement']:.2%}")
    print(f"`toolchain optimize --model big.onnx --calibration cal.npy`: {cli[0]:.1f} s wall, {cli[1]:.1f} s CPU")
    print(f"load average before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")


def command(path: Path, x: np.ndarray) -> tuple[float, float]:
    """Wall and CPU seconds of the CLI import in a fresh process, with its own build folder."""
    np.save(path.parent / "cal.npy", x)
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(path.parent / "build")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "toolchain", "optimize", "--model", str(path), "--calibration",
                    str(path.parent / "cal.npy")], env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - t, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
