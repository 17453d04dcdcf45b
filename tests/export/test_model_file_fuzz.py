"""The .tflite validator meets untrusted bytes: it returns a summary or raises
ModelError, never anything else."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolchain.modelinfo import ModelError, summarize

# a mutated model must fail fast: an example that takes this long is a hang in the making
DEADLINE = timedelta(seconds=5)
FRACTION = st.floats(0, 1, exclude_max=True)


@settings(max_examples=300, deadline=DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(FRACTION, st.integers(0, 255)), min_size=1, max_size=8), cut=FRACTION)
def test_mutated_and_truncated_models(edits, cut, mlperf):
    whole = mlperf.kws.read_bytes()
    data = bytearray(whole[:16 + int(cut * (len(whole) - 16))])
    for pos, value in edits:
        data[int(pos * len(data))] = value
    try:
        s = summarize(bytes(data), "mutated.tflite")
    except ModelError:
        return
    assert s.ops and all(isinstance(op, str) for op in s.ops)


def test_real_model_summary(mlperf):
    s = summarize(mlperf.kws.read_bytes())
    assert s.full_integer and s.input_types == ["INT8"]
    assert s.ops == ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]


def test_huge_vector_length_is_refused_at_once(mlperf):
    """A corrupted length field must not make the reader loop over billions of entries."""
    import struct
    import time

    import pytest
    import tflite

    for field in (6, 8):  # Model.operator_codes, Model.subgraphs
        data = bytearray(mlperf.kws.read_bytes())
        m = tflite.Model.GetRootAsModel(data, 0)
        struct.pack_into("<I", data, m._tab.Vector(m._tab.Offset(field)) - 4, 0x7FFFFFFF)
        t0 = time.monotonic()
        with pytest.raises(ModelError, match="corrupt or truncated"):
            summarize(bytes(data))
        assert time.monotonic() - t0 < 1
