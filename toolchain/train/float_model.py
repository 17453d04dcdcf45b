"""Step 1: a recipe's float Keras model, compiled and fitted on its data."""

from pathlib import Path

import numpy as np

from toolchain.recipes import Recipe, RecipeError
from toolchain.recipes.data import Dataset
from toolchain.train.masks import masked_batches


def compile_model(model, recipe: Recipe, learning_rate: float | None = None):
    from toolchain.train.tf import keras

    lr = learning_rate or recipe.train["learning_rate"]
    smoothing = recipe.train.get("label_smoothing", 0.0)
    if recipe.task == "classification" and smoothing:
        model.compile(keras.optimizers.Adam(lr), smoothed_loss(model.output_shape[-1], smoothing),
                      metrics=["accuracy"])
    elif recipe.task == "classification":
        model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"])
    else:
        model.compile(keras.optimizers.Adam(lr), "mse", metrics=["mae"])
    return model


def smoothed_loss(classes: int, smoothing: float):
    """Cross-entropy of integer labels against targets smoothed towards uniform (tf_keras's sparse loss has no
    smoothing)."""
    from toolchain.train.tf import keras, tf

    def loss(y_true, y_pred):
        target = tf.one_hot(tf.cast(tf.reshape(y_true, [-1]), tf.int32), classes)
        return keras.losses.categorical_crossentropy(target, y_pred, label_smoothing=smoothing)

    return loss


def build(recipe: Recipe, data: Dataset, variant: str = "default"):
    """The recipe's model; a failure inside the user's model.py is reported as theirs."""
    import traceback

    from toolchain.train.tf import keras

    src = recipe.code_file
    try:
        width = recipe.train.get("width", 1.0)
        model = recipe.build_model(keras, data.input_shape, data.num_outputs, variant,
                                   **({"width": width} if width != 1.0 else {}),
                                   **({"normalize": True} if recipe.train.get("normalize") else {}))
    except Exception as e:  # noqa: BLE001 - user code
        line = next((f.lineno for f in reversed(traceback.extract_tb(e.__traceback__)) if f.filename == str(src)), "?")
        raise RecipeError(f"{src}:{line}: build(variant='{variant}') raised {type(e).__name__}: {e}") from None
    if not isinstance(model, keras.Model):
        raise RecipeError(f"{src}: build(variant='{variant}') returned {type(model).__name__}, not a Keras model",
                          "return a tf_keras model (the `keras` argument is the module to use)")
    got = model.output_shape[-1]
    if got != data.num_outputs:
        raise RecipeError(f"{src}: the model has {got} outputs but the data has {data.num_outputs}",
                          "size the last layer with the num_outputs argument")
    return model


def train(recipe: Recipe, data: Dataset, out: Path, seed: int) -> dict[str, list[float]]:
    """Train the recipe's model on `data`, save it to `out` (.keras); returns the per-epoch metrics."""
    from toolchain.train.tf import fit, seed_everything

    seed_everything(seed)
    model = compile_model(build(recipe, data), recipe)
    if recipe.train.get("masks"):
        if len(data.input_shape) != 2:
            raise RecipeError(f"{recipe.path / 'recipe.toml'}: masks in [train] needs 2-D features (time x bands), "
                              f"the data's input is {'x'.join(map(str, data.input_shape))}", "set masks = false")
        history = fit(model, masked_batches(data.x_train, data.y_train, recipe.train["batch_size"], seed), None,
                      epochs=recipe.train["epochs"], batch_size=None, label=f"training {recipe.name}")
    else:
        history = fit(model, data.x_train, data.y_train, epochs=recipe.train["epochs"],
                      batch_size=recipe.train["batch_size"], label=f"training {recipe.name}")
    tmp = out.with_name(f".tmp-{out.name}")  # an interrupted save never leaves half a model behind
    model.save(tmp)
    tmp.replace(out)
    return history


def summary(data: Dataset) -> str:
    """One line on the data a model is trained on: shape, split sizes, samples per class."""
    text = (f"data: input {'x'.join(map(str, data.input_shape))}, {len(data.x_train)} training and "
            f"{len(data.x_test)} held-out samples")
    if data.labels:
        counts = np.bincount(np.concatenate([data.y_train, data.y_test]).astype(int), minlength=len(data.labels))
        text += "; per class: " + ", ".join(f"{lbl} {n}" for lbl, n in zip(data.labels, counts))
    return text
