"""The audio wrapper (toolchain/build/audio.py) maps each int8 front-end feature into the network's input
through a 256-entry table: int8 for an int8 network, int16 for a 16x8 one, by the host's own input
quantization; any other input type is refused in one line."""

import numpy as np
import pytest

from tests.aot.tflite_builder import ModelBuilder
from toolchain.audio.config import FrontendConfig, to_float
from toolchain.build.audio import _config_header, lut
from toolchain.build.errors import BuildError


def _model(dtype: str, scale: float | None = 0.05) -> bytes:
    mb, zp = ModelBuilder(), None if scale is None else 0
    x, y = mb.tensor([1, 4, 4, 1], dtype, scale, zp), mb.tensor([1, 2, 2, 1], dtype, scale, zp)
    mb.op("MAX_POOL_2D", [x], [y], padding=1, stride_w=2, stride_h=2, filter_width=2, filter_height=2,
          fused_activation_function=0)
    return mb.build([x], [y])


def test_int8_network_gets_an_int8_table(tmp_path):
    path = tmp_path / "net.tflite"
    path.write_bytes(_model("int8"))
    table = lut(path)
    assert table.dtype == np.int8 and len(table) == 256
    assert np.array_equal(table, np.clip(np.round(to_float(np.arange(-128, 128)) / 0.05), -128, 127))


def test_int16_network_gets_an_int16_table(tmp_path):
    path = tmp_path / "net16.tflite"
    path.write_bytes(_model("int16", 0.001))
    table = lut(path)
    expected = np.clip(np.round(to_float(np.arange(-128, 128)) / np.float32(0.001)), -32768, 32767)
    assert table.dtype == np.int16 and np.array_equal(table, expected)
    assert np.abs(table).max() > 127  # the finer scale needs the int16 range the table now gives it


def test_the_header_declares_the_table_in_the_network_input_type(tmp_path):
    path = tmp_path / "net16.tflite"
    path.write_bytes(_model("int16", 0.001))
    text = _config_header(FrontendConfig(), "kw", "0" * 16, lut(path), 3, 12)
    assert "typedef int16_t tm_audio_input_t;" in text and "static const tm_audio_input_t tm_audio_lut[256]" in text


def test_float_network_is_refused(tmp_path):
    path = tmp_path / "netf.tflite"
    path.write_bytes(_model("float32", None))
    with pytest.raises(BuildError) as err:
        lut(path)
    assert "float32 input" in str(err.value) and "--variant int8" in str(err.value) and "\n" not in str(err.value)
