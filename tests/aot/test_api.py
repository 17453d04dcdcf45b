"""The public API: compile_tflite's result, the runtime source lists, and
generated code that compiles cleanly as C99 with warnings as errors."""

import subprocess

import numpy as np
import pytest

from tests.aot import random_models
from toolchain.aot import (AotError, AotResult, compile_tflite, runtime_include_dirs, runtime_sources)


def test_compile_result(tmp_path, mlperf):
    path = mlperf.kws
    r = compile_tflite(path, tmp_path / "out", name="kws")
    assert isinstance(r, AotResult)
    assert sorted(p.name for p in r.files) == ["model.c", "model.h"] and all(p.exists() for p in r.files)
    assert r.ops[0] == "CONV_2D" and r.ops[-1] == "SOFTMAX" and len(r.layers) == len(r.ops)
    assert r.arena_bytes == max(b["offset"] + b["size"] for b in r.plan)
    text = (tmp_path / "out" / "model.c").read_text()
    assert '.name = "kws"' in text and "TM_LAYER_DONE(12)" in text and f".arena_bytes = {r.arena_bytes}" in text


def test_runtime_sources():
    portable, dsp = runtime_sources("portable"), runtime_sources("dsp")
    assert len(portable) == len(dsp) and all(p.exists() for p in portable + dsp)
    assert any(p.parent.name == "dsp" for p in dsp) and not any(p.parent.name == "dsp" for p in portable)
    assert {p.name for p in portable} == {p.name for p in dsp}
    assert (runtime_include_dirs()[0] / "tm_model.h").exists()
    with pytest.raises(AotError):
        runtime_sources("cmsis")


@pytest.mark.parametrize("kernels,cc,extra", [
    ("portable", "gcc", []),
    ("dsp", "arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]),
    ("portable", "arm-none-eabi-gcc", ["-mcpu=cortex-m0plus", "-mthumb"]),
])
def test_generated_code_compiles_pedantic(kernels, cc, extra, tmp_path):
    data = random_models.small_cnn(np.random.default_rng(1))
    (tmp_path / "m.tflite").write_bytes(data)
    compile_tflite(tmp_path / "m.tflite", tmp_path)
    srcs = [tmp_path / "model.c"] + runtime_sources(kernels)
    flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-Os", "-c"] + extra
    incs = [f"-I{d}" for d in runtime_include_dirs()] + [f"-I{tmp_path}"]
    for src in srcs:
        proc = subprocess.run([cc] + flags + incs + [str(src), "-o", str(tmp_path / (src.stem + ".o"))],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


def test_profile_layers_defines_the_hook(tmp_path):
    (tmp_path / "m.tflite").write_bytes(random_models.small_cnn(np.random.default_rng(2)))
    compile_tflite(tmp_path / "m.tflite", tmp_path / "plain")
    compile_tflite(tmp_path / "m.tflite", tmp_path / "prof", profile_layers=True)
    assert "#define TM_PROFILE" not in (tmp_path / "plain" / "model.c").read_text()
    assert "#define TM_PROFILE" in (tmp_path / "prof" / "model.c").read_text()
