"""Digits CNN. The student for distillation has half the filters; `width`
scales every hidden layer (1.0 is the recipe's own model)."""


def build(keras, input_shape, num_outputs, variant="default", width=1.0):
    base = 16 if variant == "default" else 8
    filters = max(1, round(base * width))
    L = keras.layers
    return keras.Sequential([
        L.Input(input_shape),
        L.Conv2D(filters, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(2 * filters, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(max(1, round(32 * width)), activation="relu"),
        L.Dense(num_outputs),
        L.Softmax(),
    ])
