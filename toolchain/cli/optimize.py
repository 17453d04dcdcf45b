"""`toolchain optimize`."""

from toolchain.cli import options


def optimize_cmd(
    model: str = options.MODEL,
    prune: float = options.PRUNE,
    distill: bool = options.DISTILL,
    quantize: list[str] = options.QUANTIZE,
    qat: bool = options.QAT,
    seed: int = options.SEED,
    force: bool = options.FORCE,
) -> None:
    """Prune, distill and quantize (the recipe's plan, or exactly the given flags).

    Example: toolchain optimize --model digits --prune 0.5 --quantize int8
    """
    from toolchain.console import console
    from toolchain.pipeline import optimize_step
    from toolchain.recipes import load

    plan = options.plan(model, prune, distill, quantize, qat)
    _, _, _, made = optimize_step(load(model), seed, plan, force)
    for name, path in made.items():
        console.info(f"{name:>10}: {path}")
