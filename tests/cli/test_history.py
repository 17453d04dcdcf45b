"""`toolchain history` and the runs table: every bench run, with its change
against the previous complete run of the same runtime."""

import json

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli


def run(latency, arena, accuracy, status="complete", runtime="aot"):
    return {"runtime": runtime, "status": status, "latency": {"instructions_median": latency, "unit": "instructions (emulated)"},
            "memory": {"arena_bytes": arena, "io_bytes": 10, "flash_bytes": 5000},
            "accuracy": {"samples": 3 if status != "complete" else 360, "device": accuracy, "agreement": 1.0}}


def test_history_lists_every_run_with_deltas(tmp_path):
    runs = tmp_path / "digits" / "qemu-m4" / "runs"
    runs.mkdir(parents=True)
    for name, r in [("20261130T100000.000000Z-aot", run(1000, 600, 0.95)),
                    ("20261130T110000.000000Z-aot", run(900, 500, 1.0, status="interrupted")),
                    ("20261130T120000.000000Z-tflm", run(5000, 800, 0.95, runtime="tflm")),
                    ("20261130T130000.000000Z-aot", run(800, 640, 0.96))]:
        (runs / f"{name}.json").write_text(json.dumps(r))
    (runs / "20261130T140000.000000Z-aot.json").write_text("{ cut short")
    r = run_cli("history", "--board", "qemu-m4", "--model", "digits", "--json", build=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["status"] for x in rows] == ["complete", "interrupted", "complete", "complete"]
    # the interrupted run is listed but not a baseline; tflm is compared with tflm only
    assert rows[1]["delta"]["latency"] == -100 and rows[2]["delta"]["latency"] is None
    delta = rows[3]["delta"]
    assert (delta["latency"], delta["arena + io B"], delta["flash B"]) == (-200, 40, 0)
    assert abs(delta["accuracy"] - 0.01) < 1e-9
    r = run_cli("history", "--board", "qemu-m4", "--model", "digits", build=tmp_path)
    assert r.returncode == 0 and "800 (-200)" in r.stdout and "interrupted" in r.stdout


def test_history_without_runs(tmp_path):
    assert_clean_error(run_cli("history", "--board", "qemu-m4", "--model", "digits", build=tmp_path),
                       "no bench runs of digits on qemu-m4 yet", "toolchain bench")
