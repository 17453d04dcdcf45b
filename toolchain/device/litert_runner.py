"""The device harness protocol on stdin/stdout, running a .tflite with LiteRT.

For Raspberry Pi (or any Linux host): the same `name% info% db load N% db HEX%
infer N W% results% mem%` exchange as the firmware (firmware/harness/), so the
host harness measures it through `process://`. Standalone on purpose: copy
this one file and the .tflite to the Pi, `pip install ai-edge-litert numpy`,
and run

    python3 litert_runner.py model.tflite --board rpi4 [--xnnpack]

Without --xnnpack LiteRT runs its builtin int8 kernels, which round like the
TFLite reference math (outputs comparable with the host TFLM reference);
--xnnpack measures the fast path a deployment would use. Latency is wall
clock in microseconds (`m-lap-us-`).
"""

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np

DTYPES = {np.dtype(np.int8): "int8", np.dtype(np.uint8): "uint8", np.dtype(np.int16): "int16",
          np.dtype(np.float32): "float32"}
MAX_RUNS = 256


def fletcher16(data: bytes) -> int:
    """Same as the firmware's tm_harness_io_fletcher16."""
    a = b = 0
    for byte in data:
        a = (a + byte) % 255
        b = (b + a) % 255
    return b << 8 | a


def num(v: float) -> str:
    """9 significant digits, like the firmware: enough to recover the integer output."""
    return f"{v:.8e}" if v else "0"


def micros() -> int:
    return (time.perf_counter_ns() // 1000) & 0xFFFFFFFF


class Runner:
    def __init__(self, tflite: Path, board: str, name: str, xnnpack: bool):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        data = tflite.read_bytes()
        kind = OpResolverType.AUTO if xnnpack else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        self.it = Interpreter(model_content=data, experimental_op_resolver_type=kind)
        self.it.allocate_tensors()
        self.inp, self.out = self.it.get_input_details()[0], self.it.get_output_details()[0]
        self.board, self.name, self.hash = board, name, hashlib.sha256(data).hexdigest()[:16]
        self.runtime = "litert-xnnpack" if xnnpack else "litert"
        self.input_bytes = int(np.prod(self.inp["shape"])) * np.dtype(self.inp["dtype"]).itemsize
        self.expected = 0
        self.buffer = bytearray()
        self.output: np.ndarray | None = None

    def quant(self, d: dict, count: int) -> str:
        scale, zp = d["quantization"]
        return f"{count},{DTYPES[np.dtype(d['dtype'])]},{num(scale)},{zp}"

    def dispatch(self, line: str) -> list[str]:
        cmd, _, args = line.partition(" ")
        if line == "name":
            return [f"m-name-dut-[{self.board}]"]
        if line == "profile":
            return ["m-profile-[toolchain]", f"m-model-[{self.name}]"]
        if line == "info":
            return [f"m-info-model-[{self.name}]", f"m-info-hash-[{self.hash}]", f"m-info-runtime-[{self.runtime}]",
                    f"m-info-board-[{self.board}]", f"m-info-input-[{self.quant(self.inp, self.input_bytes)}]",
                    f"m-info-output-[{self.quant(self.out, int(np.prod(self.out['shape'])))}]", "m-info-timer-[us]",
                    "m-info-layers-[0]"]
        if line == "mem":
            # LiteRT owns its memory; there is no planned arena or painted stack to report
            return ["m-mem-arena-[0]", "m-mem-stack-used-[0]", "m-mem-stack-size-[0]"]
        if line == "results":
            return self.results() if self.output is not None else ["e-[no results: run infer first]"]
        if line.startswith("db load"):
            return self.db_load(line[len("db load"):].strip())
        if cmd == "db":
            return self.db_data(args)
        if cmd == "infer":
            return self.infer(args)
        return ["e-[unknown command]"]

    def db_load(self, arg: str) -> list[str]:
        self.buffer.clear()
        self.expected = 0
        if not arg.isdigit():
            return ["e-[db load needs a byte count: db load N%]"]
        if int(arg) != self.input_bytes:
            return [f"e-[db load: model input is {self.input_bytes} bytes]"]
        self.expected = int(arg)
        return [f"m-[Expecting {arg} bytes]"]

    def db_data(self, hexes: str) -> list[str]:
        if not self.expected:
            return ["e-[db: send db load N% first]"]
        try:
            data = bytes.fromhex(hexes)
        except ValueError:
            data = None
        if data is None or len(hexes) % 2 or len(data) > 31:
            return ["e-[db: expected hex pairs, at most 31 bytes per line]"]
        if len(self.buffer) + len(data) > self.expected:
            self.expected = 0
            return ["e-[db: more bytes than announced by db load]"]
        self.buffer += data
        return []

    def infer(self, args: str) -> list[str]:
        parts = args.split()
        if not 1 <= len(parts) <= 2 or not all(p.isdigit() for p in parts) or int(parts[0]) == 0:
            return ["e-[infer needs run and warm-up counts: infer N W%]"]
        runs, warmups = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        if runs > MAX_RUNS:
            return ["e-[infer: at most 256 timed runs]"]
        if not self.expected or len(self.buffer) != self.input_bytes:
            return [f"e-[infer: input has {len(self.buffer)} of {self.input_bytes} bytes]"]
        x = np.frombuffer(bytes(self.buffer), dtype=self.inp["dtype"]).reshape(self.inp["shape"])
        for _ in range(warmups):
            self.invoke(x)
        lap0, ticks = micros(), []
        for _ in range(runs):
            t0 = micros()
            self.invoke(x)
            ticks.append((micros() - t0) & 0xFFFFFFFF)
        lap1 = micros()
        self.output = self.it.get_tensor(self.out["index"]).reshape(-1).copy()
        return [f"m-lap-us-{lap0}", f"m-lap-us-{lap1}", f"m-runs-[{','.join(map(str, ticks))}]", *self.results()]

    def invoke(self, x: np.ndarray) -> None:
        self.it.set_tensor(self.inp["index"], x)
        self.it.invoke()

    def results(self) -> list[str]:
        scale, zp = self.out["quantization"]
        q = self.output
        values = q if not scale else (q.astype(np.float32) - np.float32(zp)) * np.float32(scale)
        return [f"m-results-[{','.join(num(float(v)) for v in values)}]",
                f"m-check-[{fletcher16(bytes(self.buffer))},{fletcher16(q.tobytes())}]"]


def serve(runner: Runner, fin: int, out) -> None:
    def send(lines: list[str]) -> None:
        out.write("".join(line + "\n" for line in lines) + "m-ready\n")
        out.flush()

    send([f"m-boot-[{runner.board},{runner.name},{runner.hash}]"])
    pending = b""
    while True:
        chunk = os.read(fin, 4096)
        if not chunk:
            return
        pending += chunk
        while b"%" in pending:
            raw, pending = pending.split(b"%", 1)
            line = raw.decode("latin-1").replace("\r", "").replace("\n", "")
            if len(line) > 96:
                send(["e-[line too long: at most 96 characters before %]"])
            else:
                send(runner.dispatch(line) if line else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path, help="the .tflite to serve")
    ap.add_argument("--board", default="linux", help="board id reported to the host")
    ap.add_argument("--name", help="model name reported to the host (default: the file's stem)")
    ap.add_argument("--xnnpack", action="store_true", help="use LiteRT's default delegate (XNNPACK)")
    a = ap.parse_args(argv)
    serve(Runner(a.model, a.board, a.name or a.model.stem, a.xnnpack), sys.stdin.fileno(), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
