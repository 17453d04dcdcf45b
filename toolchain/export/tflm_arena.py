"""Smallest TFLM arena that allocates a model, found by bisection on the
host interpreter. Run in a child process (`python -m toolchain.export.tflm_arena
FILE`) so a malformed model that crashes native code cannot take the CLI down."""

import os
import subprocess
import sys
from pathlib import Path

from toolchain.console import quiet_stderr
from toolchain.export.errors import ExportError

ALIGN = 16
UPPER = 16 << 20
FLOOR = 512
# Host pointers are 8 bytes, a Cortex-M's 4, so the host measure is already an
# upper bound for TFLM's bookkeeping; the margin covers kernel scratch buffers
# that optimized (CMSIS-NN) kernels request and the reference ones do not.
MARGIN_FRACTION = 0.10
MARGIN_MIN = 1024


def _allocates(data: bytes, size: int) -> bool:
    """Whether the model allocates and runs in `size` bytes. Each probe runs in a
    forked child: TFLM's host interpreter sometimes segfaults instead of failing
    when the arena is just too small."""
    from tflite_micro.python.tflite_micro import runtime

    pid = os.fork()
    if pid == 0:
        try:
            runtime.Interpreter.from_bytes(data, arena_size=size).invoke()
            os._exit(0)
        except BaseException:  # noqa: BLE001 - the child only reports success or failure
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def smallest_arena(data: bytes) -> int:
    with quiet_stderr():
        if not _allocates(data, UPPER):
            return -1
        hi = UPPER
        while hi > FLOOR and _allocates(data, hi // 2):
            hi //= 2
        if hi == FLOOR:
            return FLOOR
        lo, hi = hi // 2 // ALIGN, hi // ALIGN  # in ALIGN units: lo fails, hi allocates
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if _allocates(data, mid * ALIGN) else (mid, hi)
    return hi * ALIGN


def with_margin(measured: int) -> int:
    extra = max(MARGIN_MIN, int(measured * MARGIN_FRACTION))
    return (measured + extra + ALIGN - 1) // ALIGN * ALIGN


def measure(path: Path) -> int:
    """Measured minimum arena of the model at `path`, in bytes."""
    r = subprocess.run([sys.executable, "-m", "toolchain.export.tflm_arena", str(path)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or not r.stdout.strip().lstrip("-").isdigit():
        raise ExportError(f"the TFLM host interpreter could not load '{path}' (exit {r.returncode})",
                          "the model may use ops or types TFLite Micro does not support")
    n = int(r.stdout.strip())
    if n < 0:
        raise ExportError(f"'{path}' does not allocate in TFLM even with a {UPPER >> 20} MiB arena",
                          "the model is too large or uses ops TFLite Micro does not support")
    return n


if __name__ == "__main__":
    print(smallest_arena(Path(sys.argv[1]).read_bytes()))
