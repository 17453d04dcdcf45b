"""Post-training quantization to .tflite: full-integer int8 (int8 input and
output, calibrated on a representative dataset), int16x8 (int16 activations,
int8 weights, int64 biases: the converter's 16x8 mode, calibrated the same
way, int16 input and output), float16, dynamic range."""

import warnings

import numpy as np

from toolchain.console import quiet_stderr
from toolchain.optimize.errors import OptimizeError
from toolchain.recipes import QUANT_MODES

CALIBRATION_SAMPLES = 300


def representative(x: np.ndarray):
    def gen():
        for i in range(min(CALIBRATION_SAMPLES, len(x))):
            yield [x[i:i + 1].astype(np.float32)]
    return gen


def to_tflite(model, mode: str, x_calib: np.ndarray) -> bytes:
    """Convert a Keras model to .tflite bytes with quantization `mode`."""
    from toolchain.train.tf import tf

    if mode not in QUANT_MODES + ("float",):
        raise OptimizeError(f"unknown quantization mode '{mode}'", f"use one of: {', '.join(QUANT_MODES)}")
    # A fixed batch of 1 keeps shapes static: no SHAPE/STRIDED_SLICE/PACK ops
    # around reshapes, and nothing dynamic for microcontroller runtimes to resize.
    fn = tf.function(lambda x: model(x, training=False))
    concrete = fn.get_concrete_function(tf.TensorSpec((1, *model.input_shape[1:]), tf.float32))
    conv = tf.lite.TFLiteConverter.from_concrete_functions([concrete], model)
    if mode != "float":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        conv.representative_dataset = representative(x_calib)
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    elif mode == "int16x8":
        conv.representative_dataset = representative(x_calib)
        conv.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
        conv.inference_input_type = tf.int16
        conv.inference_output_type = tf.int16
        # Per-tensor FULLY_CONNECTED weights: TFLM's CMSIS-NN kernel refuses per-channel 16x8 ones.
        conv._experimental_disable_per_channel_quantization_for_dense_layers = True
    elif mode == "float16":
        conv.target_spec.supported_types = [tf.float16]
    with warnings.catch_warnings(), quiet_stderr():
        warnings.simplefilter("ignore")  # the converter warns about calibration details we set on purpose
        return conv.convert()
