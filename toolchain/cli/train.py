"""`toolchain train`."""

from toolchain.cli import options


def train_cmd(model: str = options.MODEL, seed: int = options.SEED, force: bool = options.FORCE) -> None:
    """Train a recipe's float model (skipped when up to date).

    Example: toolchain train --model models/gesture
    """
    from toolchain.console import console
    from toolchain.pipeline import train_step
    from toolchain.recipes import load

    trained = train_step(load(model), seed, force)
    console.success(f"float model: {trained.dir / 'float.keras'}")
