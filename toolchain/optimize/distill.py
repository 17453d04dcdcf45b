"""Knowledge distillation: a smaller student (the recipe's `student` variant)
learns from the teacher's softened outputs plus the true labels."""

import numpy as np

from toolchain.console import console
from toolchain.recipes import Recipe
from toolchain.recipes.data import Dataset
from toolchain.train import build, compile_model

ALPHA = 0.3  # weight of the hard-label loss; the rest goes to the teacher's soft targets


def distill(teacher, recipe: Recipe, data: Dataset, epochs: int, temperature: float):
    from toolchain.train.tf import keras, tf
    student = build(recipe, data, variant="student")
    opt = keras.optimizers.Adam(recipe.train["learning_rate"])
    classify = recipe.task == "classification"
    t = temperature

    @tf.function
    def step(x, y):
        teacher_out = teacher(x, training=False)
        with tf.GradientTape() as tape:
            out = student(x, training=True)
            if classify:
                # models end in softmax: log-probabilities are logits up to a constant, which softmax ignores
                soft_t = tf.nn.softmax(tf.math.log(teacher_out + 1e-9) / t)
                log_s = tf.nn.log_softmax(tf.math.log(out + 1e-9) / t)
                soft = -tf.reduce_mean(tf.reduce_sum(soft_t * log_s, axis=-1)) * t * t
                hard = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, out))
            else:
                soft = tf.reduce_mean(tf.square(out - teacher_out))
                hard = tf.reduce_mean(tf.square(out[:, 0] - tf.cast(y, out.dtype)))
            loss = ALPHA * hard + (1 - ALPHA) * soft
        opt.apply_gradients(zip(tape.gradient(loss, student.trainable_variables), student.trainable_variables))

    bs = recipe.train["batch_size"]
    rng = np.random.default_rng(0)
    total = recipe.train["epochs"] + epochs
    with console.progress(f"distilling into a student ({student.count_params()} params)", total=total) as advance:
        for _ in range(total):
            order = rng.permutation(len(data.x_train))
            for i in range(0, len(order), bs):
                idx = order[i:i + bs]
                step(tf.constant(data.x_train[idx]), tf.constant(data.y_train[idx]))
            advance()
    return compile_model(student, recipe)
