"""Model sources for the `tflm` runtime: the exported C array, op resolver and
measured arena (toolchain/export/tflm.py), plus a generated wrapper
implementing firmware/runtime/tm_model.h over the TFLM interpreter."""

from pathlib import Path

from toolchain import manifest, modelinfo
from toolchain.build import project
from toolchain.build.errors import BuildError
from toolchain.build.sources import ModelSources
from toolchain.export import tflm

EXPORTED = ("model_data.h", "model_data.cc", "model_ops.h")


def _tensor(t: modelinfo.TensorInfo) -> dict:
    if t.dtype not in modelinfo.DTYPES:
        raise BuildError(f"the harness cannot carry a {t.dtype} tensor", "export an int8, uint8, int16 or float32 model")
    return {"dtype": modelinfo.DTYPES[t.dtype].tm_enum, "bytes": t.nbytes, "count": t.count,
            "scale": f"{t.scale:.9e}", "zero_point": t.zero_point}  # always a C float literal, 1.0 included


def sources(prepared, out_dir: Path, umbrella: str | None, prefix: str = "tm_model",
            validate: bool = False) -> ModelSources:
    """`umbrella`: the header a TFLM Arduino library wants included first, if any; `prefix`: the entry points'
    names (tm_model_info ...), another when a wrapper is the firmware's tm_model.h (build.audio); `validate`:
    TFLM's profiler hook hands every op's output to tm_validate_layer_done."""
    tflite = Path(prepared.tflite)
    arena = prepared.manifest.get("arena_bytes")
    exported = [Path(f) for f in prepared.manifest.get("tflm_sources") or []]
    if tflite != Path(prepared.manifest.get("deploy") or ""):  # another variant than the exported one
        made = tflm.write_sources(tflite, Path(out_dir) / "export")
        exported, arena = [Path(f) for f in made["files"]], made["arena_bytes"]
    by_name = {f.name: f for f in exported if f.exists()}
    missing = [n for n in EXPORTED if n not in by_name]
    if missing:
        raise BuildError(f"the TFLM export of {prepared.name} lacks {', '.join(missing)}",
                         f"re-export it: toolchain export --model {prepared.name} --force")
    i, o = modelinfo.io(tflite)
    inp, out = _tensor(i), _tensor(o)
    wrapper = Path(out_dir) / "tm_model_tflm.cpp"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(project.templates().get_template("tm_model_tflm.cpp.j2").render(
        model=prepared.name, hash=manifest.file_hash(tflite)[:16], input=inp, output=out, umbrella=umbrella,
        prefix=prefix, validate=validate))
    files = [(by_name[n], f"model/{n}") for n in EXPORTED] + [(wrapper, "model/tm_model_tflm.cpp")]
    return ModelSources(name=prepared.name, runtime="tflm", files=files, include_dirs=["model"],
                        arena_bytes=int(arena), input_bytes=inp["bytes"],
                        output_bytes=out["bytes"], extra={"ops": prepared.manifest.get("ops", [])})
