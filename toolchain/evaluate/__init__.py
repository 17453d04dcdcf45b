"""Step 2b: run every artifact kind on the same held-out inputs: Keras, LiteRT,
the TFLM host interpreter (TFLite's reference int8 kernels) and ONNX Runtime.

Imports: modelinfo, recipes, optimize (sparsity), train.tf (lazily) and leaves."""

from toolchain.evaluate.outputs import (
    Quant, io_quant, litert_outputs, tflm_outputs, keras_outputs, onnx_outputs, score,
)
