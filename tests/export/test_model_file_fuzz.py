"""The .tflite validator meets untrusted bytes: it returns a summary or raises
ExportError, never anything else."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import KWS
from toolchain.export.errors import ExportError
from toolchain.export.model_file import summarize

DATA = KWS.read_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(DATA) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(16, len(DATA)))
def test_mutated_and_truncated_models(edits, length):
    data = bytearray(DATA[:length])
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    try:
        s = summarize(bytes(data), "mutated.tflite")
    except ExportError:
        return
    assert s.ops and all(isinstance(op, str) for op in s.ops)


def test_real_model_summary():
    s = summarize(DATA)
    assert s.full_integer and s.input_types == ["INT8"]
    assert s.ops == ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]


def test_huge_vector_length_is_refused_at_once():
    """A corrupted length field must not make the reader loop over billions of entries."""
    import struct
    import time

    import pytest
    import tflite

    for field in (6, 8):  # Model.operator_codes, Model.subgraphs
        data = bytearray(DATA)
        m = tflite.Model.GetRootAsModel(data, 0)
        struct.pack_into("<I", data, m._tab.Vector(m._tab.Offset(field)) - 4, 0x7FFFFFFF)
        t0 = time.monotonic()
        with pytest.raises(ExportError, match="corrupt or truncated"):
            summarize(bytes(data))
        assert time.monotonic() - t0 < 1
