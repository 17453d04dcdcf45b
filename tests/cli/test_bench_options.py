"""`toolchain bench` refuses counts that would change what is measured, before building anything, and an
interrupted bench says so in bench.json."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import REPO, run_cli


@pytest.mark.parametrize("option, value, needle", [("--samples", "0", "--samples 0"), ("--samples", "-3", "--samples -3"),
                                                   ("--runs", "4", "--runs 4"), ("--runs", "0", "--runs 0")])
def test_out_of_range_counts_are_usage_errors(option, value, needle, tmp_path, mlperf):
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(mlperf.kws), option, value, build=tmp_path)
    assert_clean_error(r, needle, "pass ")
    assert r.returncode == 2
    assert not list(tmp_path.rglob("*")), "nothing may be built for a refused command"


@pytest.mark.slow
@pytest.mark.qemu
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_bench_says_so_in_bench_json(tmp_path, sig):
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(tmp_path)}
    model = str(REPO.parent / "shared" / "models" / "pretrainedResnet_quant.tflite")
    p = subprocess.Popen([sys.executable, "-m", "toolchain", "bench", "--board", "qemu-m4", "--model", model],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    out = tmp_path / "pretrainedResnet_quant" / "qemu-m4" / "bench.json"
    deadline = time.monotonic() + 120
    while not (out.exists() and json.loads(out.read_text())["status"] == "running"):
        assert time.monotonic() < deadline and p.poll() is None, p.stderr.read()
        time.sleep(0.05)
    p.send_signal(sig)
    assert p.wait(60) == 128 + sig
    r = json.loads(out.read_text())
    assert r["status"] == "interrupted" and r["latency"]["instructions_median"] > 0
