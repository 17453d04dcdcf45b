"""`toolchain export`."""

import typer

from toolchain.cli import options


def export_cmd(
    model: str = options.MODEL,
    board: str = options.BOARD,
    prune: float = typer.Option(None, "--prune", help="Override the recipe's target sparsity."),
    distill: bool = typer.Option(None, "--distill/--no-distill", help="Override the recipe's distillation."),
    quantize: list[str] = typer.Option(None, "--quantize", "-q", help="int8, float16 or dynamic (repeatable)."),
    qat: bool = typer.Option(None, "--qat/--no-qat", help="Override the recipe's quantization-aware training."),
    seed: int = options.SEED,
    force: bool = options.FORCE,
    as_json: bool = options.JSON,
) -> None:
    """Export .tflite, ONNX and TFLite Micro sources; compare every artifact."""
    from toolchain.cli import summary
    from toolchain.pipeline import export, is_tflite_ref

    plan = None
    if not is_tflite_ref(model) and any(v is not None for v in (prune, distill, quantize or None, qat)):
        from toolchain.optimize import Plan
        from toolchain.recipes import load

        plan = Plan.of(load(model), prune=prune, distill=distill, quantize=quantize or None, qat=qat)
    summary.show(export(model, board, seed, plan, force), as_json)
