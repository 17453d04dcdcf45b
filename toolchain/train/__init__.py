"""Step 1: train the recipe's float model. tf.py is the one place that imports
TensorFlow, float_model.py builds and fits the model. Imports: recipes, console and leaves."""

from toolchain.train.float_model import compile_model, build, train, summary
