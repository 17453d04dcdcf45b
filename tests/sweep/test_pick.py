"""Choosing a sweep point to deploy: best, by id, and the errors on the way."""

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain.sweep import pick, sweep_dir
from toolchain.sweep.errors import SweepError
from toolchain.sweep.results import Results


def config(**kw):
    return {"board": "qemu-m4", "runtime": "aot", "width": 1.0, "prune": 0.0, "distill": False, "quantize": "int8", **kw}


@pytest.fixture
def sweep(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    r = Results.open(sweep_dir("digits", "s"))
    r.start(name="s", model="digits", current=["aaa111", "bbb222", "ccc333", "ddd444"])
    r.put("aaa111", {"config": config(), "status": "ok", "fits": True, "accuracy": 0.95, "instructions": 100})
    r.put("bbb222", {"config": config(prune=0.5), "status": "ok", "fits": True, "accuracy": 0.97, "instructions": 300})
    r.put("ccc333", {"config": config(runtime="tflm"), "status": "failed", "error": "no tflm"})
    r.put("ddd444", {"config": config(width=0.5), "status": "infeasible", "fits": False, "error": "does not fit"})
    return tmp_path


def test_best_is_the_most_accurate_feasible_point(sweep):
    rec, _ = pick("digits", "s", "best")
    assert rec["id"] == "bbb222"


def test_a_point_by_the_start_of_its_id(sweep):
    assert pick("digits", "s", "aaa")[0]["id"] == "aaa111"
    assert pick("digits", "s", "ddd4")[0]["status"] == "infeasible"  # deployable elsewhere, e.g. a bigger board


@pytest.mark.parametrize("choice, needle", [("zzz", "no point"), ("ccc", r"failed \(no tflm\)")])
def test_bad_picks(sweep, choice, needle):
    with pytest.raises(SweepError, match=needle):
        pick("digits", "s", choice)


def test_unknown_sweep_through_the_cli_names_the_known_ones(sweep):
    assert_clean_error(run_cli("build", "--from-sweep", "nope", build=sweep), "no sweep 'nope'", "sweeps: s")
