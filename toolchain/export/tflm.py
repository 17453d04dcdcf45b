"""TFLite Micro sources: the model as an aligned C array, an op resolver with
exactly the model's ops, and the arena size measured on the host interpreter."""

import hashlib
import re
from pathlib import Path
from typing import TypedDict

from jinja2 import Environment, PackageLoader, StrictUndefined

from toolchain import __version__
from toolchain.export import tflm_arena
from toolchain.modelinfo import ops_of

# MicroMutableOpResolver method names that do not follow CamelCase(op name)
RESOLVER_EXCEPTIONS = {"RELU_N1_TO_1": "AddReluN1To1", "L2_NORMALIZATION": "AddL2Normalization",
                       "LOG_SOFTMAX": "AddLogSoftmax", "BATCH_MATMUL": "AddBatchMatMul"}


class TflmSources(TypedDict):
    """What write_sources made (a dict: the pipeline copies its fields into the manifest)."""

    ops: list[str]          # the model's op names: the resolver adds exactly these
    arena_measured: int     # the smallest arena that allocates on TFLM's host interpreter
    arena_bytes: int        # the measurement plus the margin: the arena the firmware reserves
    files: list[str]        # model_data.h, model_data.cc, model_ops.h


_env = Environment(loader=PackageLoader("toolchain.export"), undefined=StrictUndefined, keep_trailing_newline=True)


def resolver_method(op: str) -> str:
    """`DEPTHWISE_CONV_2D` -> `AddDepthwiseConv2D`."""
    return RESOLVER_EXCEPTIONS.get(op) or "Add" + "".join(p.capitalize() if not p[0].isdigit() else p.upper()
                                                          for p in op.split("_"))


def write_sources(tflite: Path, out: Path) -> TflmSources:
    """Write model_data.h/.cc and model_ops.h into `out`."""
    data = Path(tflite).read_bytes()
    ops = ops_of(data, tflite)
    measured = tflm_arena.measure(tflite)
    arena = tflm_arena.with_margin(measured)
    out.mkdir(parents=True, exist_ok=True)
    ctx = {"version": __version__, "source": Path(tflite).name, "sha": hashlib.sha256(data).hexdigest()[:16],
           "guard": re.sub(r"\W", "_", out.name).upper() or "TFLM"}
    hexes = [f"0x{b:02x}," for b in data]
    lines = [" ".join(hexes[i:i + 12]) for i in range(0, len(hexes), 12)]
    files = {
        "model_data.h": _env.get_template("model_data.h.j2").render(ctx, measured=measured, margin=arena - measured,
                                                                    arena=arena),
        "model_data.cc": _env.get_template("model_data.cc.j2").render(ctx, lines=lines, length=len(data)),
        "model_ops.h": _env.get_template("model_ops.h.j2").render(ctx, ops=[(o, resolver_method(o)) for o in ops]),
    }
    for name, text in files.items():
        (out / name).write_text(text)
    return {"ops": ops, "arena_measured": measured, "arena_bytes": arena, "files": [str(out / n) for n in files]}
