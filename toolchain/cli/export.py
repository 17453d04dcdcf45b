"""`toolchain export`."""

from pathlib import Path

import typer

from toolchain.cli import options


def export_cmd(
    model: str = options.MODEL,
    board: str = options.BOARD,
    prune: float = options.PRUNE,
    distill: bool = options.DISTILL,
    quantize: list[str] = options.QUANTIZE,
    qat: bool = options.QAT,
    seed: int = options.SEED,
    force: bool = options.FORCE,
    runtime: str = typer.Option("tflm", "--runtime", "-r",
                                help="tflm: TFLite Micro sources (always written); aot: also the AOT C code."),
    as_json: bool = options.JSON,
    calibration: Path = options.CALIBRATION,
    input_shape: str = options.INPUT_SHAPE,
    min_agreement: float = options.MIN_AGREEMENT,
) -> None:
    """Export .tflite, ONNX and TFLite Micro (or AOT) sources; compare every artifact.

    Example: toolchain export --model ../shared/models/kws_ref_model.tflite --runtime aot
    """
    from toolchain.boards import runtimes
    from toolchain.cli import summary
    from toolchain.export.errors import ExportError
    from toolchain.pipeline import export, export_aot, is_file_ref

    rt = runtimes.find(runtime)
    if rt is None or not rt.compiles:
        raise ExportError(f"unknown runtime '{runtime}'",
                          f"use {' or '.join(r.name for r in runtimes.TABLE.values() if r.compiles)}")
    plan = None if is_file_ref(model) else options.plan(model, prune, distill, quantize, qat)
    onnx = options.onnx_options(calibration, input_shape, min_agreement) if model.endswith(".onnx") else {}
    m = export(model, board, seed, plan, force, **onnx)
    if rt.ahead_of_time:
        m = export_aot(m, board)
    summary.show(m, as_json)
