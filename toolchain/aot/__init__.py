"""AOT compiler: .tflite -> static C (model.h/model.c) calling the int8
kernels in firmware/runtime, with one statically planned arena.

    result = compile_tflite("model.tflite", "out/")
    sources = runtime_sources("dsp") ; includes = runtime_include_dirs()

Imports: modelinfo, harness_protocol (the generated tm_dtype.h that tm_model.h includes)
and leaves; no other step."""

from toolchain.aot.errors import AotError
from toolchain.aot.reader import read_tflite, read_tflite_bytes
from toolchain.aot.compile import (
    RUNTIME, PLAN_FILE, KERNEL_VARIANTS, AotResult, compile_tflite, runtime_sources, runtime_include_dirs,
)
