"""Which host interpreter reproduces TFLite Micro's reference kernels exactly,
layer by layer, on int8 models: the `tflite-micro` wheel (every tensor
preserved) against LiteRT with `experimental_preserve_all_tensors`, with its
default (optimized) kernels and with its reference kernels. Prints, per model
and LiteRT kernel set, the layers whose outputs differ and by how many LSB, on
5 seeded random inputs (docs/validate.md quotes the result).

    .venv/bin/python scripts/reference_exactness.py
"""

import warnings
from pathlib import Path

import numpy as np

from toolchain.evaluate.reference import random_inputs
from toolchain.validate.layers import model_layers
from toolchain.validate.reference import tflm_layers

MODELS = ("kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8")
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "models"


def main() -> None:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    warnings.simplefilter("ignore")  # LiteRT warns that preserving every tensor is for debugging
    for name in MODELS:
        path = SHARED / f"{name}.tflite"
        layers = model_layers(path)
        x = random_inputs(path, 5, 0)
        ref = tflm_layers(path, layers, x)
        for kernels in (OpResolverType.BUILTIN, OpResolverType.BUILTIN_REF):
            it = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True,
                             experimental_op_resolver_type=kernels)
            it.allocate_tensors()
            inp = it.get_input_details()[0]
            differ: dict[int, int] = {}
            for s, sample in enumerate(x):
                it.set_tensor(inp["index"], sample.reshape(inp["shape"]))
                it.invoke()
                for l in layers:
                    d = int(np.abs(it.get_tensor(l.tensor).astype(int) - ref[s][l.index].astype(int)).max())
                    if d:
                        differ[l.index] = max(d, differ.get(l.index, 0))
            ops = sorted({layers[i].op for i in differ})
            print(f"{name}: LiteRT {kernels.name}: {len(differ)} of {len(layers)} layers differ from TFLM"
                  + (f" (max {max(differ.values())} LSB; {', '.join(ops)})" if differ else ""))


if __name__ == "__main__":
    main()
