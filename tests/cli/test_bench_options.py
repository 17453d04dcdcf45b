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
from tests.conftest import run_cli


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
def test_interrupted_bench_is_kept_as_a_run_and_leaves_bench_json(tmp_path, sig, mlperf):
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(tmp_path)}
    d = tmp_path / "pretrainedResnet_quant" / "qemu-m4"
    last = {"status": "complete", "note": "the last complete run"}
    d.mkdir(parents=True)
    (d / "bench.json").write_text(json.dumps(last))
    p = subprocess.Popen([sys.executable, "-m", "toolchain", "bench", "--board", "qemu-m4", "--model", str(mlperf.resnet)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300

    def run_file():
        found = sorted((d / "runs").glob("*-aot.json")) if (d / "runs").is_dir() else []
        return found[-1] if found else None

    while not ((f := run_file()) and json.loads(f.read_text())["status"] == "running"):
        assert time.monotonic() < deadline and p.poll() is None, p.stderr.read()
        time.sleep(0.05)
    p.send_signal(sig)
    assert p.wait(60) == 128 + sig
    r = json.loads(run_file().read_text())
    assert r["status"] == "interrupted" and r["latency"]["instructions_median"] > 0
    # an interrupted run never replaces the last complete one
    assert json.loads((d / "bench.json").read_text()) == last
