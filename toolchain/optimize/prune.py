"""Magnitude pruning to a target sparsity (tfmot), fine-tuned, then stripped
so the saved model is a plain Keras model with zeroed weights."""

import numpy as np

from toolchain.optimize.errors import OptimizeError
from toolchain.recipes import Recipe
from toolchain.recipes.data import Dataset
from toolchain.train import compile_model


TOLERANCE = 0.02  # reached sparsity may fall this short of the target (mask granularity)


def prune(model, recipe: Recipe, data: Dataset, target: float, epochs: int):
    import tensorflow_model_optimization as tfmot

    from toolchain.train.tf import fit
    steps = epochs * int(np.ceil(len(data.x_train) / recipe.train["batch_size"]))
    end = max(1, steps * 2 // 3)
    # tfmot updates masks every `frequency` steps (default 100): with few steps the target would never be applied
    schedule = tfmot.sparsity.keras.PolynomialDecay(0.0, target, begin_step=0, end_step=end,
                                                    frequency=max(1, end // 10))
    pruned = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)
    compile_model(pruned, recipe, recipe.train["learning_rate"] / 4)
    fit(pruned, data.x_train, data.y_train, epochs=epochs, batch_size=recipe.train["batch_size"],
        label=f"pruning to {target:.0%}", callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    stripped = tfmot.sparsity.keras.strip_pruning(pruned)
    reached = sparsity(stripped)
    if reached < target - TOLERANCE:
        raise OptimizeError(f"pruning reached {reached:.1%} sparsity, short of the {target:.0%} target",
                            "raise fine_tune_epochs in the recipe's [optimize] table")
    return compile_model(stripped, recipe)


def sparsity(model) -> float:
    """Fraction of zero weights over all kernels (biases excluded)."""
    kernels = [w for w in model.get_weights() if w.ndim > 1]
    total = sum(w.size for w in kernels)
    return float(sum(np.count_nonzero(w == 0) for w in kernels) / total) if total else 0.0
