"""Sweeps on a local Ray, end to end: every point trained, built and benched in QEMU."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import run_cli
from toolchain import paths
from toolchain.sweep import pareto

TINY_BOARD = (paths.BOARDS / "qemu-m4.toml").read_text().replace("flash = 4194304", "flash = 16384")


def points(build, name):
    return json.loads((build / "digits" / "sweeps" / name / "sweep.json").read_text())["points"]


@pytest.mark.slow
@pytest.mark.qemu
def test_three_point_sweep_on_local_ray(tmp_path, tflm_tree, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_TFLM_DIR", str(tflm_tree))  # the tflm points build TFLM from the shared tree
    space = tmp_path / "three.toml"
    space.write_text('[space]\nwidth = [0.5]\nruntime = ["aot", "tflm"]\nquantize = ["int8", "qat"]\n')
    build = tmp_path / "build"
    r = run_cli("sweep", "--space", str(space), "--budget", "3", "--workers", "2", build=build)
    assert r.returncode == 0, r.stderr
    recs = points(build, "three")
    assert len(recs) == 3
    for pid, p in recs.items():
        assert p["status"] == "ok", p["error"]
        # both runtimes are bit-exact with the host int8 reference: same outputs on the whole held-out split
        assert p["agreement"] == 1.0 and p["accuracy"] == p["host_accuracy"] and p["accuracy"] > 0.9
        assert 10_000 < p["instructions"] < 1_000_000 and 0 < p["arena_bytes"] < p["ram_bytes"] < p["flash_bytes"]
        bench = json.loads((build / "digits/sweeps/three/points" / pid / "build/digits-w0.5/qemu-m4/bench.json").read_text())
        assert bench["accuracy"]["device"] == p["accuracy"] and bench["latency"]["instructions_median"] == p["instructions"]
    assert {p["config"]["runtime"] for p in recs.values()} == {"aot", "tflm"}
    html = (build / "digits/sweeps/three/report.html").read_text()
    assert "data:image/png;base64," in html and "Front: accuracy vs instructions" in html
    assert "Pareto front on qemu-m4" in r.stdout and "best:" in r.stdout

    # the chosen point deployed to the usual build tree: the very model the sweep measured
    best = pareto.best([{"id": i, **p} for i, p in recs.items()])
    r = run_cli("build", "--from-sweep", "three", "--pick", "best", build=build)
    assert r.returncode == 0, r.stderr
    assert best["id"] in r.stdout and "digits-w0.5" in r.stdout
    points_dir = build / "digits/sweeps/three/points"
    measured = json.loads((points_dir / best["id"] / "build/digits-w0.5/qemu-m4/bench.json").read_text())
    deployed = json.loads((build / "digits-w0.5/qemu-m4/manifest.json").read_text())["firmware"]
    assert deployed["tflite_hash"] == measured["firmware"]["tflite_hash"]


@pytest.mark.slow
def test_point_that_does_not_fit_the_board_is_recorded_infeasible(tmp_path, board_file):
    board_file("tiny", TINY_BOARD)
    space = tmp_path / "tiny.toml"
    space.write_text('[space]\nwidth = [0.5]\n')
    build = tmp_path / "build"
    r = run_cli("sweep", "--space", str(space), "--board", "tiny", "--workers", "1", build=build)
    assert r.returncode == 0, r.stderr
    (p,) = points(build, "tiny").values()
    assert p["status"] == "infeasible" and not p["fits"]
    assert "does not fit tiny" in p["error"] and "16,384 B" in p["error"]
    assert p["host_accuracy"] > 0.9  # exported and evaluated before the board refused it
    assert not list(build.rglob("platformio.ini"))
    assert "infeasible" in (build / "digits/sweeps/tiny/report.html").read_text()


def _start(space, build, *extra):
    env = {**os.environ, "TOOLCHAIN_BUILD_DIR": str(build), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "toolchain", "sweep", "--space", str(space), "--workers", "1",
                             "--samples", "20", *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _elf_times(build):
    return {p: p.stat().st_mtime_ns for p in build.rglob("firmware.elf")}


@pytest.mark.slow
@pytest.mark.qemu
def test_interrupted_sweep_keeps_finished_points_and_a_rerun_rebuilds_none(tmp_path):
    space = tmp_path / "two.toml"
    space.write_text('[space]\nwidth = [0.5]\nquantize = ["int8", "qat"]\n')
    build = tmp_path / "build"
    sweep_json = build / "digits/sweeps/two/sweep.json"
    proc = _start(space, build)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (sweep_json.exists() and points(build, "two")):
        time.sleep(1)
    proc.send_signal(signal.SIGINT)  # Ctrl-C while the second point runs
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    kept = points(build, "two")
    assert len(kept) == 1 and next(iter(kept.values()))["status"] == "ok"
    before = _elf_times(build)

    r = run_cli("sweep", "--space", str(space), "--workers", "1", "--samples", "20", build=build)
    assert r.returncode == 0, r.stderr
    done = points(build, "two")
    assert len(done) == 2 and all(p["status"] == "ok" for p in done.values())
    for pid, p in kept.items():
        assert done[pid] == p  # the finished point was not run again
    assert all(_elf_times(build)[f] == t for f, t in before.items())

    # all finished: nothing is built, and a new latency limit is applied to the measurements kept
    after = _elf_times(build)
    r = run_cli("sweep", "--space", str(space), "--workers", "1", "--samples", "20", "--max-latency", "1", build=build)
    assert r.returncode == 0, r.stderr
    assert _elf_times(build) == after
    assert all(p["status"] == "infeasible" and "--max-latency 1" in p["error"] for p in points(build, "two").values())
