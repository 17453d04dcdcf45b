"""Scheduling and row streaming (toolchain/aot/fuse.py): ResNet's residual
blocks fit the smaller arena, and streamed conv -> conv (-> ADD) chains stay
bit-exact with the TFLM host interpreter on random shapes (host, portable
kernels, and the DSP kernels on QEMU)."""

import shutil

import numpy as np
import pytest

from tests.aot import c_runner, random_models
from toolchain.aot import compile_tflite


def test_resnet_blocks_are_streamed_into_a_smaller_arena(tmp_path, mlperf):
    r = compile_tflite(mlperf.path("pretrainedResnet_quant"), tmp_path)
    code = (tmp_path / "model.c").read_text()
    assert "tm_conv_eval_rows(&l2_params" in code          # block 1: conv -> conv -> ADD streamed
    assert r.arena_bytes <= 27_500                          # was 34,512 with whole tensors
    names = {b["key"] for b in r.plan}
    assert "t23" not in names and "t24" not in names       # the block's intermediates never exist whole


def _residual_cases(n: int) -> list:
    rng = np.random.default_rng(11)
    return [c for i in range(n)
            if (c := c_runner.make_case(f"residual_{i}", random_models.residual(rng), 2, rng)) is not None]


def _check_streamed(cases, tmp_path, result):
    assert len(cases) >= 36
    assert result.returncode == 0 and f"passed {len(cases)} of {len(cases)}" in result.stdout, result.stdout[-3000:]
    streamed = sum("streamed" in (tmp_path / f"m{k}" / "model.c").read_text() for k in range(len(cases)))
    assert streamed >= len(cases) // 4, f"only {streamed} of {len(cases)} models streamed"


def test_streamed_chains_are_bitexact(tmp_path):
    cases = _residual_cases(40)
    _check_streamed(cases, tmp_path, c_runner.run(c_runner.build_host(cases, tmp_path)))


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="no Arm toolchain/QEMU")
def test_streamed_chains_are_bitexact_with_dsp_kernels_on_cortex_m4(tmp_path):
    cases = _residual_cases(40)
    _check_streamed(cases, tmp_path, c_runner.run(c_runner.build_qemu(cases, tmp_path), qemu=True))



def test_plan_json_describes_the_arena_and_draws(tmp_path, mlperf):
    """compile_tflite writes the plan beside model.c; the report draws it as bars over layers."""
    import json

    from toolchain.report.plots import _plan_plot

    r = compile_tflite(mlperf.path("pretrainedResnet_quant"), tmp_path)
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["arena_bytes"] == r.arena_bytes
    assert max(b["offset"] + b["size"] for b in plan["buffers"]) == r.arena_bytes
    assert [1, 2, 3] in plan["order"]                                  # the streamed block is one step
    assert len(plan["order"]) == len(plan["ops"]) and all(0 <= b["first"] <= b["last"] < len(plan["order"])
                                                         for b in plan["buffers"])
    fig = _plan_plot(plan)
    assert len(fig.axes[0].collections) == len(plan["buffers"])
