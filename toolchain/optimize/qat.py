"""Quantization-aware training (tfmot): fake-quant fine-tuning, then an int8
conversion of the result like post-training int8."""

from toolchain.optimize.quantize import to_tflite
from toolchain.recipes import Recipe
from toolchain.recipes.data import Dataset
from toolchain.train import compile_model


def qat(model, recipe: Recipe, data: Dataset, epochs: int) -> bytes:
    import tensorflow_model_optimization as tfmot

    from toolchain.train.tf import fit
    aware = tfmot.quantization.keras.quantize_model(model)
    compile_model(aware, recipe, recipe.train["learning_rate"] / 4)
    fit(aware, data.x_train, data.y_train, epochs=epochs, batch_size=recipe.train["batch_size"],
        label="quantization-aware training")
    return to_tflite(aware, "int8", data.x_train)
