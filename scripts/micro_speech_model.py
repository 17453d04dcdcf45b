"""A reconstruction of TFLM's micro_speech model (`micro_speech_quantized.tflite`), which is not shipped
with the TFLM tree or wheel used here: the published "tiny_conv" architecture of TensorFlow's
speech_commands example, built in Keras with seeded weights and converted by the TFLite converter
(int8 full-integer, seeded representative data) through the toolchain's own quantizer.

    python scripts/micro_speech_model.py OUT.tflite
    toolchain bench --board qemu-m4 --model OUT.tflite --compare tflm,aot --samples 20 --tflm-dir ../shared/third_party/tflite-micro

Architecture: input [1, 49, 40, 1] (49 frames of 40 features); a convolution with 8 filters of 10x8,
stride 2x2, SAME padding, ReLU -> [1, 25, 20, 8]; Flatten; Dense 4; softmax. The published .tflite holds
that convolution as DEPTHWISE_CONV_2D with depth multiplier 8 on the one input channel (TOCO, the old
converter, wrote every 1-channel Conv2D so); today's converter keeps a Conv2D a CONV_2D, so the layer is
written here as the equivalent Keras DepthwiseConv2D (depth_multiplier=8), which it converts as is.
The weights are random (seeded), not trained: the figures it serves are instructions and bit-exactness.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SEED = 0
FRAMES, FEATURES, LABELS = 49, 40, 4


def build(seed: int = SEED) -> bytes:
    from toolchain.optimize.quantize import to_tflite
    from toolchain.train.tf import keras, seed_everything

    seed_everything(seed)
    model = keras.Sequential([
        keras.layers.Input((FRAMES, FEATURES, 1)),
        keras.layers.DepthwiseConv2D((10, 8), strides=(2, 2), padding="same", depth_multiplier=8,
                                     activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(LABELS),
        keras.layers.Softmax(),
    ])
    # micro_speech's features are 8-bit log-mel energies; calibrate on the same range.
    calib = np.random.default_rng(seed).uniform(0.0, 26.0, (300, FRAMES, FEATURES, 1)).astype(np.float32)
    return to_tflite(model, "int8", calib)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    args.out.write_bytes(build())
    print(args.out)


if __name__ == "__main__":
    main()
