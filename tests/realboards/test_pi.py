"""Raspberry Pi targets in CI: the cross-built aarch64 harness under
qemu-aarch64 and the LiteRT runner on the host, both driven through the
process:// transport by the same host harness, both bit-exact with the TFLM
host interpreter."""

import sys

import numpy as np
import pytest

from toolchain import report
from toolchain.build import gcc
from toolchain.device import pi
from toolchain.boards import load
from toolchain.build import aot_sources
from toolchain.device.harness import protocol
from toolchain.device.harness.client import DeviceClient
from toolchain.evaluate.reference import random_inputs, tflm_outputs
from toolchain.device.harness.transports import open_transport
from toolchain.paths import artifact_dir
from toolchain.report import summary_rows

SAMPLES = 20


def device_outputs(url: str, inputs: np.ndarray) -> tuple[np.ndarray, DeviceClient]:
    with open_transport(url) as t:
        client = DeviceClient(t)
        client.resync()
        info = client.info
        rows = []
        for x in inputs:
            inf = client.run_sample(np.asarray(x).tobytes(), runs=2, timeout=30)
            rows.append(np.frombuffer(protocol.raw_outputs(inf.results, info.output_scale, info.output_zero_point,
                                                           info.output_dtype), dtype=np.int8))
        return np.stack(rows), client


@pytest.fixture(scope="module")
def kws_reference(mlperf):
    x = random_inputs(mlperf.kws, SAMPLES, seed=3)
    return x, tflm_outputs(mlperf.kws, x)


@pytest.mark.slow
def test_aarch64_binary_under_qemu_matches_tflm(tmp_path, kws_reference, mlperf):
    board = load("rpi4")
    model = aot_sources.sources(mlperf.kws, "kws", board, tmp_path / "generated")
    elf, _ = gcc.build(board, model, tmp_path)
    url = pi.url(board, elf)
    assert "qemu-aarch64" in url or pi.native()
    x, ref = kws_reference
    got, client = device_outputs(url, x)
    assert client.info.board == "rpi4" and client.info.runtime == "aot" and client.info.timer_unit == "us"
    np.testing.assert_array_equal(got, ref.reshape(got.shape))


@pytest.mark.slow
def test_litert_runner_on_host_matches_tflm(kws_reference, mlperf):
    url = pi.url(load("rpi5"), mlperf.kws)
    assert url.startswith(f"process://{sys.executable}")
    x, ref = kws_reference
    got, client = device_outputs(url, x)
    assert client.info.runtime == "litert" and client.info.board == "rpi5"
    np.testing.assert_array_equal(got, ref.reshape(got.shape))


@pytest.mark.slow
@pytest.mark.parametrize("runtime", ["aot", "litert"])
def test_bench_on_rpi4(runtime, digits_manifest):
    from toolchain.bench import bench

    r = bench("digits", "rpi4", runtime=runtime, max_samples=60)
    assert r["status"] == "complete" and r["runtime"] == runtime
    assert r["accuracy"]["agreement"] == 1.0
    lat = r["latency"]
    assert lat["unit"] == "us" and lat["us_median"] > 0
    if not pi.native():
        # not the Pi's time, and every place the figure is shown says so
        where = {"aot": "qemu-aarch64 on", "litert": "host ("}[runtime]
        assert where in lat["measured_on"] and "not a Pi" in lat["measured_on"]
        latency_row = dict(summary_rows(r))["latency (median)"]
        assert f"us ({lat['measured_on']})" in latency_row
        # bench() measures; rendering is the report step's (the CLI runs both)
        assert lat["measured_on"] in report.write(artifact_dir("digits", "rpi4")).read_text()
    # neither the Linux port nor LiteRT can see the stack; LiteRT has no static RAM or arena of ours
    mem = r["memory"]
    assert mem["stack_bytes"] is None and mem["stack_reserved_bytes"] is None
    assert (mem["arena_bytes"] is None) == (mem["ram_bytes"] is None) == (runtime == "litert")
    assert dict(summary_rows(r))["stack used"].startswith("n/a")


@pytest.mark.slow
def test_bench_keeps_the_runtime_of_the_last_build(digits_manifest):
    from toolchain.bench import bench

    bench("digits", "rpi4", runtime="litert", max_samples=5)
    built = artifact_dir("digits", "rpi4") / "pi"
    before = {p: p.stat().st_mtime_ns for p in built.rglob("*")} if built.exists() else {}
    r = bench("digits", "rpi4", max_samples=5)
    assert r["runtime"] == "litert", "bench without --runtime regenerated the project for the board's default"
    assert ({p: p.stat().st_mtime_ns for p in built.rglob("*")} if built.exists() else {}) == before


@pytest.mark.parametrize("cmd, error", [("bogus", "unknown command"), ("db 00", "send db load N% first"),
                                        ("db load 3", "model input is 490 bytes"), ("infer 1 0", "input has 0 of 490"),
                                        ("infer x", "infer needs run and warm-up counts"),
                                        ("results", "no results: run infer first")])
def test_litert_runner_refuses_like_the_firmware(cmd, error, mlperf):
    with open_transport(pi.url(load("rpi4"), mlperf.kws)) as t:
        client = DeviceClient(t)
        client.resync()
        reply = client.command(cmd)
        assert len(reply.errors) == 1 and error in reply.errors[0]
