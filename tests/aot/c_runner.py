"""Compile many models with the AOT compiler into one test program, run it
on the host (gcc) or under QEMU (arm-none-eabi-gcc), and compare every output
byte with the TFLM host interpreter (reference kernels)."""

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolchain import modelinfo
from toolchain.aot import compile_tflite, runtime_include_dirs, runtime_sources
from toolchain.aot.reader import read_tflite_bytes

HERE = Path(__file__).parent
C_DIR = HERE / "c"
QEMU_DIR = HERE.parent / "firmware" / "kernels" / "qemu"


@dataclass
class Case:
    name: str
    model: bytes
    inputs: np.ndarray       # (samples, *input shape)
    expected: np.ndarray     # (samples, *output shape)


def random_inputs(model: bytes, samples: int, rng: np.random.Generator) -> np.ndarray:
    g = read_tflite_bytes(model)
    t = g.tensors[g.inputs[0]]
    shape = (samples,) + tuple(t.shape)
    if t.dtype == "float32":
        return rng.normal(0, 2, shape).astype(np.float32)
    dtype = np.dtype(modelinfo.DTYPES[t.dtype].numpy)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, shape).astype(dtype)


def tflm_outputs(model: bytes, inputs: np.ndarray) -> np.ndarray | None:
    """Reference outputs from the TFLM host interpreter; None if TFLM refuses the model."""
    from tflite_micro.python.tflite_micro import runtime
    try:
        it = runtime.Interpreter.from_bytes(model, arena_size=1 << 20)
        outs = []
        for x in inputs:
            it.set_input(x, 0)
            it.invoke()
            outs.append(it.get_output(0).copy())
        return np.array(outs)
    except (RuntimeError, ValueError):
        return None


def make_case(name: str, model: bytes, samples: int, rng: np.random.Generator) -> Case | None:
    inputs = random_inputs(model, samples, rng)
    expected = tflm_outputs(model, inputs)
    return None if expected is None else Case(name, model, inputs, expected)


def _c_bytes(arr: np.ndarray) -> str:
    data = arr.tobytes()
    return ", ".join(str(b) for b in data) or "0"


def write_cases(cases: list[Case], work: Path) -> list[Path]:
    """model dirs + one wrapper per model + cases.c; returns the C files to compile."""
    files = []
    for k, case in enumerate(cases):
        d = work / f"m{k}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "model.tflite").write_bytes(case.model)
        compile_tflite(d / "model.tflite", d, name=case.name)
        wrapper = work / f"m{k}.c"
        wrapper.write_text(f"#define tm_model_info tm_case{k}_info\n#define tm_model_init tm_case{k}_init\n"
                           f"#define tm_model_invoke tm_case{k}_invoke\n#include \"m{k}/model.c\"\n")
        files.append(wrapper)
    lines = ['#include <stdint.h>', '#include "tm_cases.h"']
    for k, case in enumerate(cases):
        lines.append(f"int tm_case{k}_init(void);\nint tm_case{k}_invoke(const void *, void *);")
        lines.append(f"static const uint8_t in{k}[] __attribute__((aligned(8))) = {{{_c_bytes(case.inputs)}}};")
        lines.append(f"static const uint8_t out{k}[] = {{{_c_bytes(case.expected)}}};")
    lines.append("const tm_case_t tm_cases[] = {")
    for k, case in enumerate(cases):
        n = len(case.inputs)
        lines.append(f'  {{"{case.name}", tm_case{k}_init, tm_case{k}_invoke, {n}, '
                     f"{case.inputs[0].nbytes}, {case.expected[0].nbytes}, in{k}, out{k}}},")
    lines.append("};")
    lines.append(f"const int tm_case_count = {len(cases)};")
    (work / "cases.c").write_text("\n".join(lines) + "\n")
    files.append(work / "cases.c")
    return files


def max_output(cases: list[Case]) -> int:
    return max(c.expected[0].nbytes for c in cases)


def _compile_all(cc: list[str], flags: list[str], sources: list[Path], work: Path, link: list[str]) -> Path:
    def one(src: Path) -> Path:
        obj = work / "obj" / (src.parent.name + "_" + src.stem + ".o")
        obj.parent.mkdir(exist_ok=True)
        _check(subprocess.run(cc + flags + ["-c", str(src), "-o", str(obj)], capture_output=True, text=True))
        return obj

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        objs = list(pool.map(one, sources))
    exe = work / "run_cases.elf"
    _check(subprocess.run(cc + flags + [str(o) for o in objs] + link + ["-o", str(exe)], capture_output=True,
                          text=True))
    return exe


def _check(proc: subprocess.CompletedProcess) -> None:
    if proc.returncode:
        raise AssertionError(f"{' '.join(proc.args[:1] + proc.args[-3:])} failed:\n{proc.stderr[-4000:]}")


def _flags(cases: list[Case], work: Path) -> list[str]:
    incs = [f"-I{d}" for d in runtime_include_dirs()] + [f"-I{C_DIR}", f"-I{work}"]
    return ["-std=c99", "-Wall", "-Werror", "-Wno-unused-function", f"-DTM_CASES_MAX_OUTPUT={max_output(cases)}"] + incs


def build_host(cases: list[Case], work: Path, kernels: str = "portable", opt: str = "-O2") -> Path:
    files = write_cases(cases, work) + [C_DIR / "run_cases.c"] + runtime_sources(kernels)
    return _compile_all(["gcc"], [opt] + _flags(cases, work), files, work, ["-lm"])


def build_qemu(cases: list[Case], work: Path, kernels: str = "dsp", opt: str = "-O2") -> Path:
    cpu = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
    files = write_cases(cases, work) + [C_DIR / "run_cases.c", QEMU_DIR / "startup.c"] + runtime_sources(kernels)
    flags = [opt, "-ffunction-sections", "-fdata-sections"] + cpu + _flags(cases, work)
    link = ["-T", str(QEMU_DIR / "mps2_an386.ld"), "-nostartfiles", "--specs=rdimon.specs", "-Wl,--gc-sections",
            "-lm"]
    return _compile_all(["arm-none-eabi-gcc"], flags, files, work, link)


def run(exe: Path, qemu: bool = False, timeout: int = 600) -> subprocess.CompletedProcess:
    if qemu:
        cmd = ["qemu-system-arm", "-machine", "mps2-an386", "-nographic", "-semihosting-config",
               "enable=on,target=native", "-icount", "shift=0", "-kernel", str(exe)]
    else:
        cmd = [str(exe)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
