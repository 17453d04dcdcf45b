"""Host references per layer: TFLite Micro's own interpreter (the
`tflite-micro` wheel, its reference kernels, every tensor preserved) for the
int8 model, and LiteRT with every tensor preserved for the float model."""

import warnings
from pathlib import Path

import numpy as np

from toolchain.console import quiet_stderr
from toolchain.evaluate import reference
from toolchain.validate.layers import LayerInfo



def tflm_layers(tflite: Path, layers: list[LayerInfo], x: np.ndarray) -> list[dict[int, np.ndarray]]:
    """Per sample: layer index -> its output, from TFLM's reference kernels on the host."""
    values = reference.tflm_tensors(tflite, [l.tensor for l in layers], x)
    return [{l.index: v[l.tensor].reshape(l.shape) for l in layers} for v in values]


def float_layers(float_tflite: Path, names: list[str], x: np.ndarray) -> list[dict[str, np.ndarray]]:
    """Per sample: tensor name -> its float value, for the names the float model has."""
    from ai_edge_litert.interpreter import Interpreter

    with warnings.catch_warnings(), quiet_stderr():
        warnings.simplefilter("ignore")  # it warns that preserving every tensor is for debugging: it is
        it = Interpreter(model_content=Path(float_tflite).read_bytes(), experimental_preserve_all_tensors=True)
        it.allocate_tensors()
    by_name = {d["name"]: d["index"] for d in it.get_tensor_details()}
    wanted = {n: by_name[n] for n in names if n in by_name}
    inp = it.get_input_details()[0]
    out = []
    for sample in x:
        it.set_tensor(inp["index"], np.asarray(sample, dtype=np.float32).reshape(inp["shape"]))
        it.invoke()
        out.append({n: np.array(it.get_tensor(i)) for n, i in wanted.items()})
    return out
