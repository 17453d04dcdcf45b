"""Digits CNN. The student for distillation has half the filters."""


def build(keras, input_shape, num_outputs, variant="default"):
    width = 16 if variant == "default" else 8
    L = keras.layers
    return keras.Sequential([
        L.Input(input_shape),
        L.Conv2D(width, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(2 * width, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(32, activation="relu"),
        L.Dense(num_outputs),
        L.Softmax(),
    ])
