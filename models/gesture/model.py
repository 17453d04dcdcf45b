"""1-D CNN over (time, channel) windows, written with 2-D layers of height 1
so every op maps onto the int8 kernels microcontrollers have."""


def build(keras, input_shape, num_outputs, variant="default"):
    steps, channels = input_shape
    width = 16 if variant == "default" else 8
    L = keras.layers
    return keras.Sequential([
        L.Input(input_shape),
        L.Reshape((1, steps, channels)),
        L.Conv2D(width, (1, 5), strides=(1, 2), activation="relu"),
        L.Conv2D(width, (1, 5), strides=(1, 2), activation="relu"),
        L.AveragePooling2D((1, 4)),
        L.Flatten(),
        L.Dense(num_outputs),
        L.Softmax(),
    ])
