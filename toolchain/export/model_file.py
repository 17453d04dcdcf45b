"""Read a .tflite file just enough to validate it, list its builtin ops and
tell whether it is full-integer, with one clear error for anything that is
not a TFLite flatbuffer."""

from dataclasses import dataclass
from pathlib import Path

from toolchain.export.errors import ExportError

MAX_BYTES = 64 << 20  # far above any microcontroller model; guards against a wrong file


@dataclass
class ModelSummary:
    ops: list[str]            # builtin op names in first-use order
    input_types: list[str]    # e.g. ["INT8"]
    float_tensors: int        # constant float32/float16 tensors (float weights or biases)

    @property
    def full_integer(self) -> bool:
        return self.float_tensors == 0


def load_tflite(path: Path) -> bytes:
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"'{path}' is a directory, not a .tflite file")
    if not path.is_file():
        raise ExportError(f"model file '{path}' not found")
    data = path.read_bytes()
    if not data:
        raise ExportError(f"'{path}' is empty (0 bytes)", "re-export the model")
    summarize(data, path)
    return data


def ops_of(data: bytes, where: Path | str = "model") -> list[str]:
    """Builtin op names used by the model's subgraphs, in first-use order."""
    return summarize(data, where).ops


def summarize(data: bytes, where: Path | str = "model") -> ModelSummary:
    import tflite

    bad = f"'{where}' is not a valid .tflite model"
    if len(data) < 16 or data[4:8] != b"TFL3":
        raise ExportError(f"{bad}: no TFL3 flatbuffer identifier", "pass a .tflite file produced by the TFLite converter")
    if len(data) > MAX_BYTES:
        raise ExportError(f"{bad}: {len(data)} bytes is larger than any deployable model")
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    types = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
    def count(n: int) -> int:
        # a vector can't hold more 4-byte entries than the file has bytes: a bigger length is corruption
        if n > len(data) // 4:
            raise ValueError("vector length past the end of the file")
        return n

    try:
        m = tflite.Model.GetRootAsModel(data, 0)
        count(m.OperatorCodesLength())
        count(m.SubgraphsLength())
        codes = [max(m.OperatorCodes(i).BuiltinCode(), m.OperatorCodes(i).DeprecatedBuiltinCode())
                 for i in range(m.OperatorCodesLength())]
        ops: list[str] = []
        floats = 0
        for s in range(m.SubgraphsLength()):
            g = m.Subgraphs(s)
            count(g.TensorsLength())
            for i in range(count(g.OperatorsLength())):
                name = names.get(codes[g.Operators(i).OpcodeIndex()], "CUSTOM")
                if name not in ops:
                    ops.append(name)
            # float activations at the edges are fine (QUANTIZE/DEQUANTIZE); float constants mean float math
            floats += sum(types.get(g.Tensors(t).Type()) in ("FLOAT32", "FLOAT16")
                          and m.Buffers(g.Tensors(t).Buffer()).DataLength() > 0 for t in range(g.TensorsLength()))
        g0 = m.Subgraphs(0)
        inputs = [types.get(g0.Tensors(g0.Inputs(i)).Type(), "?") for i in range(g0.InputsLength())]
    except Exception:  # noqa: BLE001 - any parse failure of untrusted bytes means a corrupt file
        raise ExportError(f"{bad}: corrupt or truncated flatbuffer (a table points past the end of the file)",
                          "re-export the model; the file may have been cut short") from None
    if not ops:
        raise ExportError(f"{bad}: it contains no operators")
    return ModelSummary(ops, inputs, floats)
