"""`toolchain optimize`."""

import typer

from toolchain.cli import options


def optimize_cmd(
    model: str = options.MODEL,
    prune: float = typer.Option(None, "--prune", help="Target sparsity in [0, 1), e.g. 0.5."),
    distill: bool = typer.Option(None, "--distill/--no-distill", help="Distill into the recipe's student model."),
    quantize: list[str] = typer.Option(None, "--quantize", "-q", help="int8, float16 or dynamic (repeatable)."),
    qat: bool = typer.Option(None, "--qat/--no-qat", help="Also make an int8 model by quantization-aware training."),
    seed: int = options.SEED,
    force: bool = options.FORCE,
) -> None:
    """Prune, distill and quantize (the recipe's plan, or the given flags)."""
    from toolchain.cli.console import console
    from toolchain.optimize import Plan
    from toolchain.pipeline import optimize_step
    from toolchain.recipes import load

    recipe = load(model)
    plan = Plan.of(recipe, prune=prune, distill=distill, quantize=quantize or None, qat=qat)
    _, _, _, made = optimize_step(recipe, seed, plan, force)
    for name, path in made.items():
        console.info(f"{name:>10}: {path}")
