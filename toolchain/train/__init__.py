"""Step 1: train the recipe's float model. tf.py is the one place that imports
TensorFlow. Imports: recipes, console and leaves."""

from toolchain.train.fit import compile_model, build, train, summary
