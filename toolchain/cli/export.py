"""`toolchain export`."""

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
    as_json: bool = options.JSON,
) -> None:
    """Export .tflite, ONNX and TFLite Micro sources; compare every artifact."""
    from toolchain.cli import summary
    from toolchain.pipeline import export, is_tflite_ref

    plan = None if is_tflite_ref(model) else options.plan(model, prune, distill, quantize, qat)
    summary.show(export(model, board, seed, plan, force), as_json)
