"""Step 1: train the recipe's float model."""

from pathlib import Path

from toolchain.data import Dataset
from toolchain.recipes import Recipe


def compile_model(model, recipe: Recipe, learning_rate: float | None = None):
    from toolchain.tf import keras

    lr = learning_rate or recipe.train["learning_rate"]
    if recipe.task == "classification":
        model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"])
    else:
        model.compile(keras.optimizers.Adam(lr), "mse", metrics=["mae"])
    return model


def build(recipe: Recipe, data: Dataset, variant: str = "default"):
    from toolchain.tf import keras

    return recipe.build_model(keras, data.input_shape, data.num_outputs, variant)


def train(recipe: Recipe, data: Dataset, out: Path, seed: int) -> Path:
    """Train the recipe's model on `data` and save it to `out` (.keras)."""
    from toolchain.tf import fit, seed_everything

    seed_everything(seed)
    model = compile_model(build(recipe, data), recipe)
    fit(model, data.x_train, data.y_train, epochs=recipe.train["epochs"], batch_size=recipe.train["batch_size"],
        label=f"training {recipe.name}")
    model.save(out)
    return out
