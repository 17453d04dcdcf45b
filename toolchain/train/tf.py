"""One place that imports TensorFlow, with the settings everything relies on."""

import os

# tfmot (pruning, QAT) only accepts tf_keras models: must precede the first TF import.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # repeatable float results across runs

from toolchain.console import console, quiet_stderr  # noqa: E402

with quiet_stderr():  # CUDA probing and absl start-up chatter, irrelevant on a CPU-only host
    import tensorflow as tf
    import tf_keras as keras

tf.get_logger().setLevel("ERROR")


def seed_everything(seed: int) -> None:
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


class ProgressCallback(keras.callbacks.Callback):
    """Advances a console progress bar once per epoch, showing the epoch's loss and accuracy."""

    def __init__(self, advance, label: str, epochs: int):
        super().__init__()
        self.advance, self.label, self.epochs = advance, label, epochs

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        metrics = "".join(f" {k} {v:.4f}" for k, v in logs.items() if k in ("loss", "accuracy", "mae"))
        self.advance(1, description=f"{self.label}: epoch {epoch + 1}/{self.epochs}{metrics}")


def fit(model, x, y, *, epochs: int, batch_size: int, label: str, callbacks=()) -> dict[str, list[float]]:
    """Train; returns the per-epoch metrics (loss, and accuracy or MAE)."""
    with console.progress(label, total=epochs) as advance:
        h = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                      callbacks=[ProgressCallback(advance, label, epochs), *callbacks])
    return {k: [round(float(v), 6) for v in vs] for k, vs in h.history.items()}


__all__ = ["tf", "keras", "seed_everything", "fit"]
