"""Host int8 reference outputs from TFLite Micro's own host interpreter (the
`tflite-micro` wheel), for models imported without a data set."""

from pathlib import Path

import numpy as np

from toolchain import modelinfo

DEFAULT_ARENA = 4 << 20
ALL_TENSORS_ARENA = 16 << 20  # every tensor preserved: no memory is reused


def random_inputs(tflite: Path, n: int, seed: int) -> np.ndarray:
    """`n` seeded random samples covering the input type's whole range."""
    inp, _ = modelinfo.io(tflite)
    info = np.iinfo(inp.numpy)
    rng = np.random.default_rng(seed)
    return rng.integers(info.min, info.max + 1, size=(n, *inp.shape[1:]), dtype=np.int64).astype(inp.numpy)


def tflm_outputs(tflite: Path, x: np.ndarray, arena_bytes: int | None = None) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    inp, _ = modelinfo.io(tflite)
    it = runtime.Interpreter.from_bytes(Path(tflite).read_bytes(), arena_size=max(arena_bytes or 0, DEFAULT_ARENA))
    rows = []
    for sample in x:
        it.set_input(sample.reshape(inp.shape).astype(inp.numpy), 0)
        it.invoke()
        rows.append(np.asarray(it.get_output(0)).reshape(-1))
    return np.stack(rows)


def tflm_tensors(tflite: Path, tensors: list[int], x: np.ndarray) -> list[dict[int, np.ndarray]]:
    """Per sample: tensor index -> its values (flat), from TFLM's reference kernels on the host."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(Path(tflite).read_bytes(), arena_size=ALL_TENSORS_ARENA,
                                        intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)
    shape = it.get_input_details(0)["shape"]
    out = []
    for sample in x:
        it.set_input(np.asarray(sample).reshape(shape), 0)
        it.invoke()
        out.append({t: np.array(it.GetTensor(t, 0)["tensor_data"]).reshape(-1) for t in tensors})
    return out
