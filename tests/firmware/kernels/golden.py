"""Per-op golden tables for the kernel tests (STYLE.md rule 3): small
single-op int8 and 16x8 models (tests/aot/random_models), each lowered by the AOT
generator to its kernel call and constant parameters, with random inputs and
the outputs of the TFLM host interpreter (the `tflite_micro` package),
written to testdata/<kernel>_cases.h. golden_test.c runs every table against
the linked kernels (portable or DSP twins).

    .venv/bin/python -m tests.firmware.kernels.golden     # regenerate testdata/ (from the repo root)
"""

import re
from pathlib import Path

import numpy as np

from tests.aot import c_runner, random_models
from toolchain import modelinfo
from toolchain.aot.lower import lower_graph
from toolchain.aot.reader import read_tflite_bytes

HERE = Path(__file__).parent

# kernel header -> (generators, op names accepted)
TABLES = {
    "conv": ([random_models.conv], {"CONV_2D"}),
    "depthwise_conv": ([random_models.depthwise, random_models.depthwise_3x3], {"DEPTHWISE_CONV_2D"}),
    "fully_connected": ([random_models.fully_connected], {"FULLY_CONNECTED"}),
    "pooling": ([random_models.pool], {"AVERAGE_POOL_2D", "MAX_POOL_2D"}),
    "elementwise": ([random_models.add_mul], {"ADD", "MUL"}),
    "activation": ([random_models.softmax, random_models.sigmoid], {"SOFTMAX", "LOGISTIC", "TANH"}),
    "quantize": ([random_models.quantize], {"QUANTIZE"}),
    "layout": ([random_models.pad, random_models.concat], {"PAD", "CONCATENATION"}),
    "reduce": ([random_models.mean], {"MEAN"}),
    "conv_16x8": ([random_models.conv_16x8], {"CONV_2D"}),
    "depthwise_conv_16x8": ([random_models.depthwise_16x8], {"DEPTHWISE_CONV_2D"}),
    "fully_connected_16x8": ([random_models.fully_connected_16x8], {"FULLY_CONNECTED"}),
    "pooling_16x8": ([random_models.pool_16x8], {"AVERAGE_POOL_2D", "MAX_POOL_2D"}),
    "softmax_16x8": ([random_models.softmax_16x8], {"SOFTMAX"}),
    "reduce_16x8": ([random_models.mean_16x8], {"MEAN"}),
    "elementwise_16x8": ([random_models.add_mul_16x8], {"ADD", "MUL"}),
    "quantize_16x8": ([random_models.quantize_16x8], {"QUANTIZE", "DEQUANTIZE"}),
    "logistic_16x8": ([random_models.sigmoid_16x8], {"LOGISTIC"}),
    "tanh_16x8": ([random_models.sigmoid_16x8], {"TANH"}),
}
CASES_PER_TABLE = 6
MORE_CASES = {"depthwise_conv": 16, "depthwise_conv_16x8": 12, "pooling_16x8": 12}  # the DSP twins' paths: depthwise windows, channel counts, multipliers 1 to 8; pooling odd and even channels
MAX_CASE_BYTES = 1500      # constants + inputs + outputs: keeps the tables small
MORE_BYTES = {"softmax_16x8": 3000, "depthwise_conv_16x8": 3000}  # softmax: its two 1026-byte tables; depthwise: multipliers 4 and 8
SAMPLES = 2
SCRATCH_BYTES = 4096       # golden_test.c's shared scratch buffer
SEED = 20261130


def _values(arr: np.ndarray, ctype: str) -> str:
    flat = np.asarray(arr).reshape(-1)
    if ctype == "float":
        items = [repr(float(np.float32(v))) + "f" for v in flat]
    else:
        items = [str(int(v)) for v in flat]
    return ", ".join(items) or "0"


def _bytes(arr: np.ndarray) -> str:
    return ", ".join(str(b) for b in np.ascontiguousarray(arr).tobytes()) or "0"


def _case(name: str, model: bytes, ops: set, rng: np.random.Generator, kernel: str) -> tuple[str, str, str] | None:
    """(op, C text of one case: params, constants, run function, data, table entry), or None if unusable
    (a layer the lowering gives another kernel, e.g. a 1-channel depthwise run as a convolution, included)."""
    graph = read_tflite_bytes(model)
    layers = [l for l in lower_graph(graph) if l.call != "alias"]
    if len(layers) != 1 or layers[0].op not in ops or layers[0].scratch > SCRATCH_BYTES:
        return None
    if not layers[0].func.startswith(f"tm_{kernel}_") or ("16x8" in layers[0].func) != kernel.endswith("16x8"):
        return None
    layer = layers[0]
    inputs = c_runner.random_inputs(model, SAMPLES, rng)
    expected = c_runner.tflm_outputs(model, inputs)
    if expected is None or len(np.unique(expected.view(np.uint8))) < 3:  # no degenerate (clamped) outputs
        return None
    size = sum(c.values.nbytes for c in layer.consts) + inputs.nbytes + expected.nbytes
    if size > MORE_BYTES.get(kernel, MAX_CASE_BYTES):
        return None
    p = f"g_{name}"
    lines = []
    rename = {}
    for c in layer.consts:
        rename[c.name] = f"{p}_{c.name}"
        lines += [f"#if {c.guard}"] if c.guard else []
        lines.append(f"static const {c.ctype} {p}_{c.name}[] __attribute__((aligned(16))) = "
                     f"{{{_values(c.values, c.ctype)}}};")
        lines += ["#endif"] if c.guard else []
    args = []
    root_in = graph.inputs[0]
    for t in layer.inputs:
        tensor = graph.tensors[t]
        if t == root_in or tensor.data is None:
            args.append("in")
            continue
        ctype = modelinfo.c_type(tensor.dtype)
        lines.append(f"static const {ctype} {p}_c{t}[] __attribute__((aligned(16))) = "
                     f"{{{_values(tensor.data, ctype)}}};")
        args.append(f"{p}_c{t}")
    fields = {k: re.sub(r"\w+", lambda m: rename.get(m.group(0), m.group(0)), str(v)) for k, v in layer.fields.items()}
    if layer.ptype in ("tm_conv_params_t", "tm_depthwise_conv_params_t", "tm_conv_16x8_params_t"):
        cast = "(int16_t *)" if "16x8" in layer.ptype else ""
        fields["scratch"] = f"{cast}golden_scratch" if layer.scratch else "0"
    lines.append(f"static const {layer.ptype} {p}_params = {{")
    lines += [f"    .{k} = {v}," for k, v in fields.items()]
    lines.append("};")
    lines.append(f"static void {p}_run(const void *in, void *out) {{")
    if layer.call == "concat":
        lines.append(f"  const void *const ins[] = {{{', '.join(args)}}};")
        lines.append(f"  {layer.func}(&{p}_params, ins, out);")
    else:
        lines.append(f"  {layer.func}(&{p}_params, {', '.join(args)}, out);")
    lines.append("}")
    lines.append(f"static const uint8_t {p}_in[] __attribute__((aligned(16))) = {{{_bytes(inputs)}}};")
    lines.append(f"static const uint8_t {p}_want[] = {{{_bytes(expected)}}};")
    entry = (f'  {{"{name} ({layer.op})", {p}_run, {SAMPLES}, {inputs[0].nbytes}, {expected[0].nbytes}, '
             f"{p}_in, {p}_want}},")
    return layer.op, "\n".join(lines) + "\n", entry


def table(kernel: str) -> str:
    gens, ops = TABLES[kernel]
    rng = np.random.default_rng([SEED, list(TABLES).index(kernel)])
    bodies, entries, per_op = [], [], dict.fromkeys(ops, 0)
    quota = -(-MORE_CASES.get(kernel, CASES_PER_TABLE) // len(ops))  # every op of the kernel gets its share
    for attempt in range(2000):
        if len(entries) == quota * len(ops):
            break
        made = _case(f"{kernel}_{attempt}", gens[attempt % len(gens)](rng), ops, rng, kernel)
        if made and per_op[made[0]] < quota:
            per_op[made[0]] += 1
            bodies.append(made[1])
            entries.append(made[2])
    guard = f"TESTS_FIRMWARE_KERNELS_TESTDATA_{kernel.upper()}_CASES_H_"
    return "\n".join([
        "// SPDX-License-Identifier: Apache-2.0",
        f"// Golden cases for kernels/{kernel}.h, generated by tests/firmware/kernels/golden.py;",
        "// do not edit. Expected outputs come from the TFLM host interpreter.",
        f"#ifndef {guard}", f"#define {guard}", "",
        f'#include "kernels/{kernel}.h"', "",
        *bodies,
        f"static const golden_case_t golden_{kernel}[] = {{", *entries, "};", "",
        f"#endif  // {guard}", ""])


def write(out_dir: Path = HERE / "testdata") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kernel in TABLES:
        path = out_dir / f"{kernel}_cases.h"
        path.write_text(table(kernel))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for path in write():
        print(path)
