"""Step 1 for a model made elsewhere: an ONNX file checked (graph.py), lowered to a float Keras
model in the device's channels-last layout (lower.py, lower_ops.py, lower_activation.py, lower_resample.py,
lower_shape.py, lower_const.py, layout.py), its calibration data
(calibration.py), and the parity it owes: ONNX Runtime vs the converted float model, int8 vs
float (parity.py). An already-quantized (QDQ) model is lowered to int8 with its own scales instead (qdq.py,
qdq_tflite.py) and checked against ONNX Runtime's execution of it (qdq_check.py).

Imports: train.tf (lazily) and leaves."""

from toolchain.importer.calibration import device_dataset, load_calibration, to_device_layout
from toolchain.importer.errors import OnnxError
from toolchain.importer.graph import is_onnx_ref, read
from toolchain.importer.lower import device_perm, to_keras
from toolchain.importer.parity import DEFAULT_AGREEMENT, int8_agreement, layer_sqnr, report
from toolchain.importer.qdq import to_int8_graph
from toolchain.importer.step import convert, user_layout
