"""Estimates in a bench on QEMU: the harness firmware (fake model) benched with
the cycle-model plugin, without it when QEMU will not load it, and the
arithmetic from cycles to milliseconds, microjoules and battery life."""

import json

import pytest

from tests.conftest import run_cli
from tests.firmware.fake_build import reference, samples
from toolchain import boards
from toolchain.bench import estimates, run
from toolchain.cycles import estimate, plugin
from toolchain.cycles.counts import Counts
from toolchain.errors import ToolchainError, UsageError

RUNS = 5


def bench_fake(fw, tmp_path, extra_args, wanted=None, counts_file=None, note=None):
    with run.device_session(fw.board, fw.elf, None, extra_args=extra_args) as (client, _):
        est = None if note or wanted is None else (
            lambda lat: estimates.timed_runs(counts_file, lat["runs"], lat.get("lap_instructions_per_run"), wanted))
        x = samples(3)
        return run.measure(client, fw.board, tmp_path / "bench.json", inputs=x, labels=None,
                           host_outputs=reference(x), runs=RUNS, warmups=1, meta={}, static={},
                           measured_on="qemu", estimate=est, estimate_note=note)


@pytest.mark.qemu
def test_the_plugin_counts_what_icount_counts(fake_fw, tmp_path):
    wanted = estimates.request(fake_fw.board, ["nano33", "nucleo_l4r5zi"], "60/min", "CR2032")
    args, out = estimates.qemu_args(fake_fw.elf, tmp_path)
    r = bench_fake(fake_fw, tmp_path, args, wanted, out)
    est, lat = r["estimate"], r["latency"]
    assert "estimate_note" not in r and r["accuracy"]["agreement"] == 1.0
    # -icount's figure is virtual microseconds: exact to 1,000 instructions over the timed runs
    assert abs(est["instructions_per_run"] - lat["lap_instructions_per_run"]) <= 1000 / RUNS
    qemu, nano, nucleo = est["boards"]
    assert [b["board"] for b in est["boards"]] == ["qemu-m4", "nano33", "nucleo_l4r5zi"]
    assert qemu["cycles"] == nano["cycles"] == nucleo["cycles"] > est["instructions_per_run"]
    assert qemu["ms"] == pytest.approx(qemu["cycles"] / 25e3, abs=1e-4) and qemu["uj"] is None
    assert nucleo["uj"] == pytest.approx(110 * 120 * 3.3 * nucleo["cycles"] / 120e6, rel=1e-3)
    assert nucleo["battery"]["battery"] == "CR2032" and nucleo["battery"]["days"] > 100
    assert "not measured" in est["label"]


@pytest.mark.qemu
def test_a_plugin_qemu_will_not_load_leaves_instructions_and_a_note(fake_fw, tmp_path, monkeypatch):
    junk = tmp_path / "libjunk.so"
    junk.write_bytes(b"not a shared object")
    monkeypatch.setattr(plugin, "library", lambda: junk)
    wanted = estimates.request(fake_fw.board, None, None, None)
    args, out, note = run.cycle_model(wanted, fake_fw.elf, tmp_path, None)
    assert args == [] and note.startswith("no cycle estimate: QEMU cannot load the cycle-model plugin libjunk.so")
    r = bench_fake(fake_fw, tmp_path, args, wanted, out, note)
    assert r["latency"]["instructions_median"] > 0 and "estimate" not in r
    assert r["estimate_note"] == note and "\n" not in note


def test_a_missing_plugin_source_is_a_note_not_an_error(fake_fw, tmp_path, monkeypatch):
    monkeypatch.setattr(plugin, "SOURCE", tmp_path / "gone.c")
    wanted = estimates.request(fake_fw.board, None, None, None)
    args, out, note = run.cycle_model(wanted, fake_fw.elf, tmp_path, None)
    assert (args, out) == ([], None) and note.startswith("no cycle estimate: the cycle-model plugin source")


def test_no_compiler_is_a_note(fake_fw, tmp_path, monkeypatch):
    monkeypatch.setenv("CC", "no-such-cc")
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    _, _, note = run.cycle_model(estimates.request(fake_fw.board, None, None, None), fake_fw.elf, tmp_path, None)
    assert "no C compiler 'no-such-cc'" in note


PER_RUN = Counts(1000, {"alu": 1000, **{k: 0 for k in estimate.timing.NAMES if k != "alu"}})


def test_energy_and_battery_arithmetic():
    b = estimate.for_board(PER_RUN, boards.load("nano33"), 60, estimate.battery("cr2032"))
    # 1,000 cycles at 64 MHz; 52 uA/MHz x 64 MHz at 3.3 V
    assert b["ms"] == pytest.approx(1000 / 64e3, abs=1e-4) and b["uj"] == pytest.approx(52 * 64 * 3.3 * 1000 / 64e6, rel=1e-3)
    seconds = 1000 / 64e6
    average = (52 * 64 * seconds + 3.16 * (1 - seconds)) / 1
    assert b["battery"]["days"] == pytest.approx(225_000 / average / 24, rel=1e-3)


@pytest.mark.parametrize("call, message", [
    (lambda: estimate.parse_rate("fast"), "is not a rate"),
    (lambda: estimate.parse_rate("0/min"), "is not a rate"),
    (lambda: estimate.battery("9V"), "unknown battery '9V'"),
    (lambda: estimates.request(boards.load("qemu-m4"), ["esp32s3"], None, None), "no cycle model for a xtensa-lx7"),
    (lambda: estimates.request(boards.load("qemu-m4"), ["nope"], None, None), "unknown board 'nope'"),
    (lambda: estimates.request(boards.load("qemu-m7"), ["nano33"], None, None), "built for a cortex-m7"),
    (lambda: estimate.battery_life(2.0, 10, 1, 60, estimate.battery("CR2032")), "longer than the 1000.0 ms"),
])
def test_bad_estimate_requests_are_one_clear_error(call, message):
    with pytest.raises(ToolchainError, match=message):
        call()


def test_estimates_need_qemu():
    with pytest.raises(UsageError, match="need the cycle model on QEMU"):
        estimates.request(boards.load("nano33"), ["nucleo_l4r5zi"], None, None)
    with pytest.raises(UsageError, match="--battery needs --rate"):
        estimates.request(boards.load("qemu-m4"), None, None, "2xAA")


@pytest.mark.slow
@pytest.mark.qemu
def test_bench_cli_labels_every_estimate(digits_manifest, build_dir):
    r = run_cli("bench", "--board", "qemu-m4", "--model", "digits", "--samples", "5", "--estimate-for", "nucleo_l4r5zi",
                "--rate", "60/min", "--battery", "2xAA", build=build_dir)
    assert r.returncode == 0, r.stderr
    assert "estimates per inference (estimate" in r.stdout and "battery life, est. (2xAA at 60/min)" in r.stdout
    d = build_dir / "digits" / "qemu-m4"
    b = json.loads((d / "bench.json").read_text())
    assert "not measured" in b["estimate"]["label"] and b["estimate"]["boards"][1]["battery"]["battery"] == "2xAA"
    html = (d / "report.html").read_text()
    assert "Estimated time and energy per inference" in html and "cycles, est." in html


def test_report_labels_estimates_and_plots_both_runtimes(tmp_path):
    from toolchain import report
    from toolchain.bench.compare import side_by_side

    def result(runtime, cycles):
        e = estimate.summary(Counts(cycles, {**PER_RUN.classes, "alu": cycles}), ["qemu-m4", "nucleo_l4r5zi"], 60,
                             estimate.battery("CR2032"), cycles)
        return {"model": "m", "board": "qemu-m4", "runtime": runtime, "status": "complete", "wall_seconds": 1.0,
                "latency": {"instructions_median": cycles, "runs": 5, "unit": "instructions (emulated)"},
                "memory": None, "accuracy": None, "estimate": e}

    runs = {"tflm": result("tflm", 2000), "aot": result("aot", 1000)}
    (tmp_path / "bench.json").write_text(json.dumps({**runs["aot"], "compare": side_by_side(runs)}))
    html = report.write(tmp_path).read_text()
    assert "Estimates per inference (QEMU cycle model: estimate" in html and "uJ, est." in html
    assert "Estimated time and energy per inference, per board" in html
    assert "estimate on qemu-m4 (cycle model, not measured)" in html and "1,000 instructions" in html
    table = side_by_side(runs)
    assert set(table["estimates"]) == {"tflm", "aot"}
    assert next(r for r in table["rows"] if r["what"].startswith("cycles"))["values"] == {"tflm": 2000, "aot": 1000}


@pytest.mark.parametrize("args, needles", [
    (["--rate", "fast"], ["--rate 'fast' is not a rate", "N/min"]),
    (["--estimate-for", "pico"], ["no cycle model for a cortex-m0plus core"]),
    (["--rate", "60/min", "--battery", "9V"], ["unknown battery '9V'", "CR2032"]),
    (["--no-estimate", "--rate", "60/min"], ["--no-estimate contradicts"]),
    (["--board", "nano33", "--estimate-for", "nucleo_l4r5zi"], ["need the cycle model on QEMU"]),
])
def test_bad_estimate_options_are_one_line_before_building(tmp_path, args, needles):
    from tests.cli.test_bad_input import assert_clean_error

    r = run_cli("bench", "--model", "digits", *args, build=tmp_path)
    assert_clean_error(r, *needles)
    assert not list(tmp_path.rglob("*.elf")) and not list(tmp_path.rglob("*.keras"))
