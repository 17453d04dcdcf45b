"""Instruction count of one inference of an AOT-compiled model on QEMU
mps2-an386 (Cortex-M4F, DSP kernels) under -icount shift=0."""

import re
import subprocess
from pathlib import Path

from tests.aot.c_runner import C_DIR, QEMU_DIR, run
from toolchain.aot import compile_tflite, runtime_include_dirs, runtime_sources

CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]


def measure(tflite: Path, work: Path, kernels: str = "dsp", profile: bool = True, opt: str = "-O2") -> dict:
    result = compile_tflite(tflite, work / "model")
    srcs = [work / "model" / "model.c", C_DIR / "bench_model.c", QEMU_DIR / "startup.c"] + runtime_sources(kernels)
    exe = work / "bench.elf"
    cmd = (["arm-none-eabi-gcc", opt, "-std=c99", "-ffunction-sections", "-fdata-sections"] + CPU
           + [f"-I{d}" for d in runtime_include_dirs()] + [f"-I{work / 'model'}"]
           + (["-DTM_PROFILE"] if profile else []) + [str(s) for s in srcs]
           + ["-T", str(QEMU_DIR / "mps2_an386.ld"), "-nostartfiles", "--specs=rdimon.specs", "-Wl,--gc-sections",
              "-lm", "-o", str(exe)])
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = run(exe, qemu=True).stdout
    m = re.search(r"instructions (\d+)", out)
    layers = [(int(a), b, int(c)) for a, b, c in re.findall(r"layer (\d+) (\S+) (\d+)", out)]
    size = subprocess.run(["arm-none-eabi-size", str(exe)], capture_output=True, text=True).stdout
    return dict(instructions=int(m.group(1)) if m else None, arena=result.arena_bytes, layers=layers,
                macs=result.macs, raw=out, size=size)


if __name__ == "__main__":
    import sys
    import tempfile
    for path in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            r = measure(Path(path), Path(tmp))
            print(path, "instructions", r["instructions"], "arena", r["arena"], "MACs", r["macs"],
                  "instr/MAC %.2f" % (r["instructions"] / r["macs"]))
            for i, name, n in r["layers"]:
                print(f"  {i:2d} {name:20s} {n}")
            print(r["size"])
