"""The audio wrapper (toolchain/build/audio.py) feeds the front-end's int8 features straight into the
network's input: a network with another input type (a 16x8 model) is refused in one line."""

import pytest

from tests.aot.tflite_builder import ModelBuilder
from toolchain.build.audio import lut
from toolchain.build.errors import BuildError


def _model(dtype: str) -> bytes:
    mb = ModelBuilder()
    x, y = mb.tensor([1, 4, 4, 1], dtype, 0.05, 0), mb.tensor([1, 2, 2, 1], dtype, 0.05, 0)
    mb.op("MAX_POOL_2D", [x], [y], padding=1, stride_w=2, stride_h=2, filter_width=2, filter_height=2,
          fused_activation_function=0)
    return mb.build([x], [y])


def test_int8_network_gets_a_feature_table(tmp_path):
    path = tmp_path / "net.tflite"
    path.write_bytes(_model("int8"))
    assert len(lut(path)) == 256


def test_int16_network_is_refused(tmp_path):
    path = tmp_path / "net16.tflite"
    path.write_bytes(_model("int16"))
    with pytest.raises(BuildError) as err:
        lut(path)
    assert "int16 input" in str(err.value) and "--variant int8" in str(err.value) and "\n" not in str(err.value)
