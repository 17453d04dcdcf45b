"""A small DS-CNN over log-mel frames (time x mel bands): one strided
convolution, three depthwise-separable blocks, global average pooling and a
dense classifier. Every op maps onto the int8 kernels (BatchNorm folds into
the convolutions at conversion). The distillation student is half as wide;
[train] width scales the 48 channels (width = 1.3334: 64 channels); `blocks`
(scripts/keywords_ablation.py varies it) counts the depthwise-separable blocks. [train] normalize first
subtracts each mel band's mean over the clip's frames (MEAN + SUB on the device): a voice's or a microphone's
fixed spectral colour, which says nothing about the word, is gone before the convolutions."""


def build(keras, input_shape, num_outputs, variant="default", width=1.0, blocks=3, normalize=False):
    frames, bands = input_shape
    width = round((48 if variant == "default" else 24) * width)
    L = keras.layers

    def bn_relu(x):
        return L.ReLU()(L.BatchNormalization(momentum=0.9)(x))  # moving statistics settle in ~50 steps

    inp = L.Input(input_shape)
    x = inp
    if normalize:  # (frames, bands) less its mean over the frames, (1, bands): MEAN and SUB
        x = L.Subtract()([x, L.GlobalAveragePooling1D(keepdims=True)(x)])
    x = L.Reshape((frames, bands, 1))(x)
    x = bn_relu(L.Conv2D(width, (10, 4), strides=(2, 2), padding="same", use_bias=False)(x))
    for stride in (2,) + (1,) * (blocks - 1):
        x = bn_relu(L.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x))
        x = bn_relu(L.Conv2D(width, 1, use_bias=False)(x))
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dropout(0.2)(x)
    x = L.Dense(num_outputs)(x)
    return keras.Model(inp, L.Softmax()(x))
