"""The reader turns any malformed input into one AotError, never another
exception or a hang."""

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.aot import random_models
from toolchain.aot import AotError, compile_tflite, read_tflite, read_tflite_bytes
from toolchain.errors import ToolchainError

# a mutated model must fail fast: an example that takes this long is a hang in the making
FUZZ_DEADLINE = timedelta(seconds=5)
COMPILE_DEADLINE = timedelta(seconds=30)

SMALL = random_models.small_cnn(np.random.default_rng(0))


def _parse_or_aot_error(data: bytes) -> None:
    try:
        read_tflite_bytes(data)
    except AotError as e:
        assert "\n" not in e.message and e.message


def test_aot_error_is_a_toolchain_error():
    assert issubclass(AotError, ToolchainError)


def test_reads_a_real_model(mlperf):
    g = read_tflite(mlperf.kws)
    assert g.ops and g.inputs and g.outputs


def test_missing_file(tmp_path):
    with pytest.raises(AotError, match="cannot read"):
        read_tflite(tmp_path / "nope.tflite")


@pytest.mark.parametrize("data", [b"", b"TFL3", b"\x00" * 8, b"hello world, not a model", bytes(range(256))])
def test_not_a_model(data):
    with pytest.raises(AotError):
        read_tflite_bytes(data)


def test_every_truncation_of_a_small_model():
    for n in range(0, len(SMALL), max(1, len(SMALL) // 400)):
        _parse_or_aot_error(SMALL[:n])


@settings(max_examples=300, deadline=FUZZ_DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=2048))
def test_random_bytes(data):
    _parse_or_aot_error(data)
    _parse_or_aot_error(data[:4] + b"TFL3" + data[8:])


@settings(max_examples=300, deadline=FUZZ_DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=12))
def test_byte_mutated_models(mutations, mlperf):
    base = bytearray(mlperf.kws.read_bytes())
    for pos, value in mutations:
        base[pos % len(base)] = value
    _parse_or_aot_error(bytes(base))


@settings(max_examples=60, deadline=COMPILE_DEADLINE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=6))
def test_byte_mutated_models_compile_or_aot_error(mutations, tmp_path_factory):
    """The whole compiler, not only the reader, fails cleanly on mutated models."""
    base = bytearray(SMALL)
    for pos, value in mutations:
        base[pos % len(base)] = value
    path = Path(tmp_path_factory.mktemp("mut")) / "m.tflite"
    path.write_bytes(bytes(base))
    try:
        compile_tflite(path, path.parent)
    except AotError:
        pass
