"""Model sources for the `tflm` runtime on real boards: the exported C array,
op resolver and measured arena (toolchain/export/tflm.py), plus a generated
wrapper implementing firmware/runtime/tm_model.h over the TFLM interpreter."""

from pathlib import Path

from ai_edge_litert.interpreter import Interpreter

from toolchain import manifest
from toolchain.boards import Board
from toolchain.firmware import project
from toolchain.firmware.errors import BuildError
from toolchain.firmware.sources import ModelSources

TM_DTYPES = {"int8": "TM_DTYPE_INT8", "uint8": "TM_DTYPE_UINT8", "int16": "TM_DTYPE_INT16", "float32": "TM_DTYPE_FLOAT32"}
EXPORTED = ("model_data.h", "model_data.cc", "model_ops.h")


def _tensor(d: dict) -> dict:
    scale, zp = d["quantization"]
    count = 1
    for n in d["shape"]:
        count *= int(n)
    return {"dtype": TM_DTYPES[d["dtype"].__name__], "bytes": count * d["dtype"]().itemsize, "count": count,
            "scale": f"{scale:.9g}", "zero_point": zp}


def sources(prepared, board: Board, out_dir: Path, umbrella: str | None) -> ModelSources:
    """`umbrella`: the header a TFLM Arduino library wants included first, if any."""
    exported = [Path(f) for f in prepared.manifest.get("tflm_sources") or []]
    by_name = {f.name: f for f in exported if f.exists()}
    missing = [n for n in EXPORTED if n not in by_name]
    if missing:
        raise BuildError(f"the TFLM export of {prepared.name} lacks {', '.join(missing)}",
                         f"re-export it: toolchain export --model {prepared.name} --force")
    tflite = Path(prepared.tflite)
    it = Interpreter(model_content=tflite.read_bytes())
    inp, out = _tensor(it.get_input_details()[0]), _tensor(it.get_output_details()[0])
    env = project.templates()
    wrapper = Path(out_dir) / "tm_model_tflm.cpp"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(env.get_template("tm_model_tflm.cpp.j2").render(
        model=prepared.name, hash=manifest.file_hash(tflite)[:16], input=inp, output=out, umbrella=umbrella))
    files = [(by_name[n], f"model/{n}") for n in EXPORTED] + [(wrapper, "model/tm_model_tflm.cpp")]
    return ModelSources(name=prepared.name, runtime="tflm", files=files, include_dirs=["model"],
                        arena_bytes=int(prepared.manifest["arena_bytes"]), input_bytes=inp["bytes"],
                        output_bytes=out["bytes"], extra={"ops": prepared.manifest.get("ops", [])})
