"""compile_tflite: .tflite in, model.c/model.h and the arena plan out (the runtime's sources: sources.py)."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from toolchain.aot.codegen import render
from toolchain.aot.errors import AotError
from toolchain.aot.fuse import schedule
from toolchain.aot.lower import lower_graph
from toolchain.aot.reader import read_tflite, read_tflite_bytes
from toolchain.aot.sources import KERNEL_VARIANTS, RUNTIME, runtime_include_dirs, runtime_sources

PLAN_FILE = "plan.json"  # written beside model.c: the arena plan, per buffer

__all__ = ["AotError", "AotResult", "KERNEL_VARIANTS", "RUNTIME", "compile_tflite", "read_tflite", "read_tflite_bytes",
           "runtime_sources", "runtime_include_dirs"]


@dataclass
class AotResult:
    files: list[Path]             # written model.h, model.c
    arena_bytes: int              # static arena: activations, scratch and the model input/output
    ops: list[str]                # builtin op name per layer
    plan: list[dict]              # per buffer: name, offset, size, first, last layer
    layers: list[dict]            # per layer: index, op, function, macs
    weights_bytes: int = 0        # constant data emitted (weights, biases, multipliers)
    strategy: str = ""            # the planner order that won
    macs: int = field(default=0)


def compile_tflite(tflite_path: str | Path, out_dir: str | Path, *, name: str | None = None,
                   profile_layers: bool = False, validate_layers: bool = False,
                   embedding: int | None = None) -> AotResult:
    """Compile a .tflite into out_dir/model.h and model.c (and the arena plan
    as out_dir/plan.json); AotError if it cannot.

    The emitted code calls tm_profile_layer_done(i) after each layer when
    compiled with -DTM_PROFILE; `profile_layers` defines it in model.c itself.
    `validate_layers` emits a call to tm_validate_layer_done(i, output, bytes)
    after each layer, with no streamed chains, so every output exists whole.
    `embedding` (a tensor index) emits a call to tm_personalize_embedding(pointer)
    after the layer that makes that tensor (personalization builds).
    """
    path = Path(tflite_path)
    try:
        model_bytes = path.read_bytes()
    except OSError as e:
        raise AotError(f"cannot read {path}: {e.strerror}", "check the path") from None
    graph = read_tflite_bytes(model_bytes, str(path))
    layers = lower_graph(graph)
    order, mem, plan = schedule(graph, layers, fuse=not validate_layers)
    texts = render(graph, order, mem, plan, name=name or path.stem, source=path.name, model_bytes=model_bytes,
                   profile=profile_layers, validate=validate_layers, embedding=embedding)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for fname, text in texts.items():
        (out / fname).write_text(text)
        files.append(out / fname)
    names = {b: graph.tensors[int(b[1:])].name if b.startswith("t") else f"scratch of layer {b[1:]}"
             for b in (x.key for x in plan.buffers)}
    # The plan as data beside the C, for the report's picture (first/last: positions in `order`).
    (out / PLAN_FILE).write_text(json.dumps({
        "model_hash": hashlib.sha256(model_bytes).hexdigest()[:16], "arena_bytes": plan.peak,
        "order": [[p.index for p in (getattr(l, "parts", None) or [l])] for l in order],
        "ops": [l.op for l in order],
        "buffers": [dict(name=names[b.key], key=b.key, offset=b.offset, size=b.size, first=b.first, last=b.last)
                    for b in sorted(plan.buffers, key=lambda b: b.offset)]}, indent=1))
    return AotResult(
        files=files, arena_bytes=plan.peak, ops=[l.op for l in layers],
        plan=[dict(name=names[b.key], key=b.key, offset=b.offset, size=b.size, first=b.first, last=b.last)
              for b in sorted(plan.buffers, key=lambda b: b.offset)],
        layers=[dict(index=l.index, op=l.op, function=l.func, macs=l.macs,
                     weights_bytes=sum(c.values.nbytes for c in l.consts)) for l in layers],
        weights_bytes=sum(c.values.nbytes for l in layers for c in l.consts), strategy=plan.strategy,
        macs=sum(l.macs for l in layers))
