"""Read a .tflite file just enough to validate it and list its builtin ops,
with one clear error for anything that is not a TFLite flatbuffer."""

from pathlib import Path

from toolchain.export.errors import ExportError

MAX_BYTES = 64 << 20  # far above any microcontroller model; guards against a wrong file


def load_tflite(path: Path) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"model file '{path}' not found")
    data = path.read_bytes()
    ops_of(data, path)
    return data


def ops_of(data: bytes, where: Path | str = "model") -> list[str]:
    """Builtin op names used by the model's subgraphs, in first-use order."""
    import tflite

    bad = f"'{where}' is not a valid .tflite model"
    if len(data) < 16 or data[4:8] != b"TFL3":
        raise ExportError(f"{bad}: no TFL3 flatbuffer identifier", "pass a .tflite file produced by the TFLite converter")
    if len(data) > MAX_BYTES:
        raise ExportError(f"{bad}: {len(data)} bytes is larger than any deployable model")
    try:
        m = tflite.Model.GetRootAsModel(data, 0)
        names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
        codes = [max(m.OperatorCodes(i).BuiltinCode(), m.OperatorCodes(i).DeprecatedBuiltinCode())
                 for i in range(m.OperatorCodesLength())]
        ops: list[str] = []
        for s in range(m.SubgraphsLength()):
            g = m.Subgraphs(s)
            for i in range(g.OperatorsLength()):
                name = names.get(codes[g.Operators(i).OpcodeIndex()], "CUSTOM")
                if name not in ops:
                    ops.append(name)
    except ExportError:
        raise
    except Exception as e:  # noqa: BLE001 - any parse failure of untrusted bytes means a corrupt file
        raise ExportError(f"{bad}: corrupt or truncated flatbuffer ({type(e).__name__})",
                          "re-export the model; the file may have been cut short") from None
    if not ops:
        raise ExportError(f"{bad}: it contains no operators")
    return ops
