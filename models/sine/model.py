"""Three dense layers, as in TFLite Micro's hello-world."""


def build(keras, input_shape, num_outputs, variant="default"):
    width = 16 if variant == "default" else 8
    L = keras.layers
    return keras.Sequential([
        L.Input(input_shape),
        L.Dense(width, activation="relu"),
        L.Dense(width, activation="relu"),
        L.Dense(num_outputs),
    ])
