"""16x8 models (int16 activations, int8 weights, int64 biases) through the AOT compiler: random
single-op models bit-exact with the TFLM host interpreter (portable kernels on the host, DSP twins on
Cortex-M4F in QEMU), and the refusals: an op without a 16x8 kernel, an int16 tensor with a zero point."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner, random_models
from tests.aot.tflite_builder import ModelBuilder
from toolchain.aot.errors import AotError
from toolchain.aot.lower import lower_graph
from toolchain.aot.reader import read_tflite_bytes

PER_KIND = 12


def _cases(seed: int, per_kind: int = PER_KIND) -> list:
    rng = np.random.default_rng(seed)
    cases = []
    for kind, gen in random_models.GENERATORS_16X8.items():
        for i in range(per_kind):
            case = c_runner.make_case(f"{kind}_{seed}_{i}", gen(rng), 3, rng)
            if case is not None:
                cases.append(case)
    assert len(cases) >= 0.9 * per_kind * len(random_models.GENERATORS_16X8)  # TFLM accepted nearly all
    return cases


def _check(result, n):
    assert f"passed {n} of {n}" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0


def test_16x8_bitexact_host(tmp_path):
    cases = _cases(seed=1608)
    _check(c_runner.run(c_runner.build_host(cases, tmp_path)), len(cases))


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="qemu-system-arm / arm-none-eabi-gcc not installed")
@pytest.mark.parametrize("kernels", ["dsp", "portable"])
def test_16x8_bitexact_on_cortex_m4(kernels, tmp_path):
    cases = _cases(seed=1609 if kernels == "dsp" else 1610, per_kind=PER_KIND if kernels == "dsp" else 4)
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels=kernels), qemu=True), len(cases))


def test_fully_connected_multiplier_is_the_double_product_with_a_bias(tmp_path):
    """The sine recipe's first 16x8 layer: float32(in * w) / out and double(in) * double(w) / out round to
    Q15 multipliers one apart; TFLM (with a bias) takes the double one."""
    mb = ModelBuilder()
    x = mb.tensor([1, 1], "int16", 0.00019118016643915325, 0)
    w = [75, -60, 105, -123, -33, -98, 0, 127, -10, -20, 88, 1, -13, -9, -111, -27]
    wt = mb.tensor([16, 1], "int8", [0.0037961762864142656], [0], np.array(w).reshape(16, 1))
    bias = [-1008453, 0, -1055880, 0, 0, 0, 0, 336170, -158476, 0, -1128324, -158077, -82698, 0, 0, 1778387]
    b = mb.tensor([16], "int64", [0.00019118016643915325 * 0.0037961762864142656], [0], np.array(bias))
    y = mb.tensor([1, 16], "int16", 9.961650357581675e-05, 0)
    mb.op("FULLY_CONNECTED", [x, wt, b], [y], fused_activation_function=1)
    inputs = np.arange(-32768, 32768, 97, dtype=np.int16).reshape(-1, 1, 1)
    model = mb.build([x], [y])
    case = c_runner.Case("sine_layer0", model, inputs, c_runner.tflm_outputs(model, inputs))
    _check(c_runner.run(c_runner.build_host([case], tmp_path)), 1)


@pytest.mark.parametrize("scale", [2.0 ** -12, 2.0 ** -11, 3.1e-4, 1.7e-3])
def test_logistic_and_tanh_16x8_every_input(scale, tmp_path):
    """LOGISTIC and TANH on all 65,536 int16 inputs, at power-of-two scales (TFLM's 3 << shift path, for
    TANH also at shift 1) and at others (the doubled multiplier), equal to the TFLM host interpreter."""
    inputs = np.arange(-32768, 32768, dtype=np.int16).reshape(16, 1, 4096)
    cases = []
    for name in ("LOGISTIC", "TANH"):
        mb = ModelBuilder()
        x, y = mb.tensor([1, 4096], "int16", scale, 0), mb.tensor([1, 4096], "int16", 1 / 32768, 0)
        mb.op(name, [x], [y])
        model = mb.build([x], [y])
        cases.append(c_runner.Case(name.lower(), model, inputs, c_runner.tflm_outputs(model, inputs)))
    _check(c_runner.run(c_runner.build_host(cases, tmp_path)), 2)


def _elementwise_16x8(name: str, sa: float, sb: float, so: float, act: int, b_values: np.ndarray) -> bytes:
    mb = ModelBuilder()
    a, b = mb.tensor([1, 512], "int16", sa, 0), mb.tensor([1, 512], "int16", sb, 0, b_values.reshape(1, 512))
    y = mb.tensor([1, 512], "int16", so, 0)
    mb.op(name, [a, b], [y], fused_activation_function=act)
    return mb.build([a], [y])


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="qemu-system-arm / arm-none-eabi-gcc not installed")
def test_same_shape_add_and_mul_16x8_dsp_at_the_extremes(tmp_path):
    """The DSP ADD's branch-free same-shape path and MUL's SMMULR requantization: every pair of int16 extremes
    (input against a constant) and random values, input scales equal, apart, larger on either side, outputs
    saturating."""
    rng = np.random.default_rng(23)
    edges = np.array([-32768, -32767, -16384, -1, 0, 1, 16383, 32766, 32767], np.int16)
    pairs = np.stack(np.meshgrid(edges, edges), -1).reshape(-1, 2)
    a = np.concatenate([pairs[:, 0], rng.integers(-32768, 32768, 512 - len(pairs))]).astype(np.int16)
    b = np.concatenate([pairs[:, 1], rng.integers(-32768, 32768, 512 - len(pairs))]).astype(np.int16)
    inputs = np.stack([a, -a]).reshape(2, 1, 512)
    cases = []
    for k, (name, sa, sb, so, act) in enumerate([
            ("ADD", 3e-4, 3e-4, 6e-4, 0), ("ADD", 1e-4, 7e-4, 5e-4, 1), ("ADD", 9e-4, 2e-4, 1.1e-3, 0),
            ("ADD", 4e-4, 5e-4, 2e-4, 0), ("MUL", 3e-4, 5e-4, 3e-4 * 5e-4 * 32768 * 0.1, 0),
            ("MUL", 1e-3, 1e-3, 1e-3 * 1e-3 * 32768 * 0.9, 1)]):
        model = _elementwise_16x8(name, sa, sb, so, act, b)
        cases.append(c_runner.Case(f"{name.lower()}_{k}", model, inputs, c_runner.tflm_outputs(model, inputs)))
    _check(c_runner.run(c_runner.build_qemu(cases, tmp_path, kernels="dsp"), qemu=True), len(cases))


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="qemu-system-arm / arm-none-eabi-gcc not installed")
@pytest.mark.parametrize("mult", [1, 2, 4])
def test_depthwise_16x8_dsp_int64_bias_path(mult, tmp_path):
    """One channel's bias beyond int32 (so the generator cannot prove int32 sums exact, acc32 = 0): the DSP
    depthwise kernel adds its int32 tap sums to the int64 biases and requantizes in 64 bits, equal to TFLM."""
    rng = np.random.default_rng(mult)
    cin = 6
    cout = cin * mult
    mb = ModelBuilder()
    x = mb.tensor([1, 7, 6, cin], "int16", 4e-4, 0)
    ws = rng.uniform(0.002, 0.02, cout)
    wt = mb.tensor([1, 3, 3, cout], "int8", ws, np.zeros(cout, np.int64), rng.integers(-127, 128, (1, 3, 3, cout)), axis=3)
    bias = rng.integers(-300000, 300000, cout)
    bias[0] = 3_000_000_000
    b = mb.tensor([cout], "int64", 4e-4 * ws, np.zeros(cout, np.int64), bias)
    y = mb.tensor([1, 7, 6, cout], "int16", 2e-3, 0)
    mb.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], padding=0, stride_w=1, stride_h=1, depth_multiplier=mult,
          fused_activation_function=0, dilation_w_factor=1, dilation_h_factor=1)
    model = mb.build([x], [y])
    layer = lower_graph(read_tflite_bytes(model))[0]
    assert layer.fields["acc32"] == 0
    inputs = c_runner.random_inputs(model, 3, rng)
    case = c_runner.Case(f"dw_int64_{mult}", model, inputs, c_runner.tflm_outputs(model, inputs))
    _check(c_runner.run(c_runner.build_qemu([case], tmp_path, kernels="dsp"), qemu=True), 1)


def _concat_16x8() -> bytes:
    mb = ModelBuilder()
    a, b = mb.tensor([1, 4], "int16", 1e-3, 0), mb.tensor([1, 4], "int16", 1e-3, 0)
    y = mb.tensor([1, 8], "int16", 1e-3, 0)
    mb.op("CONCATENATION", [a, b], [y], axis=1, fused_activation_function=0)
    return mb.build([a], [y])


def test_op_without_a_16x8_kernel_is_refused_naming_op_layer_and_runtime():
    with pytest.raises(AotError) as err:
        lower_graph(read_tflite_bytes(_concat_16x8()))
    text = str(err.value)
    assert "layer 0 (CONCATENATION" in text and "no 16x8 kernel" in text and "--runtime tflm" in text
    assert "\n" not in text


def test_int16_zero_point_is_refused_in_one_line():
    mb = ModelBuilder()
    x, y = mb.tensor([1, 4, 4, 2], "int16", 1e-3, 5), mb.tensor([1, 2, 2, 2], "int16", 1e-3, 5)
    mb.op("MAX_POOL_2D", [x], [y], padding=1, stride_w=2, stride_h=2, filter_width=2, filter_height=2,
          fused_activation_function=0)
    with pytest.raises(AotError) as err:
        lower_graph(read_tflite_bytes(mb.build([x], [y])))
    text = str(err.value)
    assert "zero point 5" in text and "--quantize int16x8" in text and "\n" not in text
