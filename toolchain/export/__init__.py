"""Step 3: the deployable files of a model: ONNX (onnx.py) and the TFLite
Micro sources (tflm.py: aligned C array, exact op resolver, arena measured on
the host interpreter by tflm_arena.py), and the reference profile for field
monitoring (field_stats.py: the host twin of the device's statistics). The AOT C
comes from toolchain.aot.
Imports: modelinfo, console and leaves."""
