"""The exporter on the MLPerf Tiny reference models (imported .tflite files)."""

import subprocess

import pytest

from toolchain.export import tflm
from toolchain.export.tflm_arena import _allocates


def litert_ops(path) -> set[str]:
    """Independent op list: what LiteRT itself reports for the model."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path))
    return {op["op_name"] for op in it._get_ops_details()}


@pytest.mark.parametrize("name", ["kws", "resnet", "vww", "ad"])
def test_tflm_sources_for_mlperf_model(name, tmp_path, mlperf):
    model = getattr(mlperf, name)
    out = tflm.write_sources(model, tmp_path)
    assert set(out["ops"]) == litert_ops(model) and len(out["ops"]) == len(set(out["ops"]))
    resolver = (tmp_path / "model_ops.h").read_text()
    assert f"MicroMutableOpResolver<{len(out['ops'])}>" in resolver
    assert resolver.count("resolver.Add") == len(out["ops"])
    # the measured arena is the smallest that works: 16 bytes less does not allocate
    data = model.read_bytes()
    assert _allocates(data, out["arena_measured"]) and not _allocates(data, out["arena_measured"] - 16)
    assert out["arena_bytes"] > out["arena_measured"]
    r = subprocess.run(["g++", "-std=c++17", "-c", str(tmp_path / "model_data.cc"), "-o", str(tmp_path / "m.o")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    nm = subprocess.run(["nm", "-S", str(tmp_path / "m.o")], capture_output=True, text=True).stdout
    size = next(int(line.split()[1], 16) for line in nm.splitlines() if line.endswith("g_model_data"))
    assert size == len(data)


def test_resolver_method_names():
    assert tflm.resolver_method("DEPTHWISE_CONV_2D") == "AddDepthwiseConv2D"
    assert tflm.resolver_method("FULLY_CONNECTED") == "AddFullyConnected"
    assert tflm.resolver_method("MAX_POOL_2D") == "AddMaxPool2D"
