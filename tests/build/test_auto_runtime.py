"""`--runtime auto`: AOT when the compiler lowers every op of the model, TFLM otherwise, naming the ops."""

import numpy as np

from toolchain.boards import load, runtimes
from toolchain.build.targets import auto_runtime
from toolchain.optimize.quantize import to_tflite


def _int8(tmp_path, activation: str):
    from toolchain.train.tf import keras

    L = keras.layers
    model = keras.Sequential([L.Input((8,)), L.Dense(4), L.ELU() if activation == "elu" else L.ReLU(),
                              L.Dense(2)])
    path = tmp_path / f"{activation}.tflite"
    path.write_bytes(to_tflite(model, "int8", np.random.default_rng(0).normal(size=(32, 8)).astype(np.float32)))
    return path


def test_auto_picks_aot_when_covered_else_tflm_naming_ops(tmp_path, capsys):
    assert auto_runtime(_int8(tmp_path, "relu")) == "aot"
    assert auto_runtime(_int8(tmp_path, "elu")) == "tflm"
    assert "runtime auto: tflm (the AOT compiler has no ELU)" in capsys.readouterr().err


def test_auto_is_the_default_where_the_board_default_is_aot():
    board = load("qemu-m4")
    assert board.runtime == "aot" and runtimes.for_board(board, None) == runtimes.AUTO
    assert runtimes.for_board(board, "tflm") == "tflm"
