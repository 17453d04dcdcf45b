"""The convolutions of small audio and sensor models (random_models.audio_conv), including
depthwise layers on 1 or 2 input channels lowered as standard convolutions, bit-exact with the TFLM host interpreter:
portable kernels on the host, DSP twins on Cortex-M4F (QEMU)."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner, random_models
from toolchain.aot.graph import Graph
from toolchain.aot.lower import lower_graph
from toolchain.aot.reader import read_tflite_bytes

CASES = 24


def _cases(seed: int) -> list:
    rng = np.random.default_rng(seed)
    cases = [c_runner.make_case(f"audio_conv_{seed}_{i}", random_models.audio_conv(rng), 3, rng)
             for i in range(CASES)]
    return [c for c in cases if c is not None]


def _check(result, n):
    assert f"passed {n} of {n}" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0


def test_narrow_depthwise_is_lowered_as_a_convolution():
    rng = np.random.default_rng(3)
    for _ in range(40):
        model = random_models.audio_conv(rng)
        graph: Graph = read_tflite_bytes(model)
        op = graph.ops[0]
        ic, oc = graph.tensors[op.inputs[0]].shape[-1], graph.tensors[op.outputs[0]].shape[-1]
        w = graph.tensors[op.inputs[1]].shape
        three = w[1] == w[2] == 3 and op.options["dilation_h_factor"] == op.options["dilation_w_factor"] == 1
        [layer] = lower_graph(graph)
        as_conv = op.name == "CONV_2D" or ((ic == 1 or (ic == 2 and oc > 2)) and not three)
        expect = "tm_conv_eval" if as_conv else "tm_depthwise_conv_eval"
        assert (op.name, layer.func) == (op.name, expect)


def test_audio_convolutions_bitexact_host(tmp_path):
    cases = _cases(seed=31)
    assert len(cases) >= 0.9 * CASES
    _check(c_runner.run(c_runner.build_host(cases, tmp_path)), len(cases))


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="qemu-system-arm / arm-none-eabi-gcc not installed")
def test_audio_convolutions_bitexact_on_cortex_m4(tmp_path):
    cases = _cases(seed=32)
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels="dsp"), qemu=True), len(cases))
