"""`toolchain monitor` end to end in QEMU: a drift scenario on digits, and bad input."""

import json

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain.device.emulate import free_port

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


def test_digits_rotation_alarms_within_500_samples_and_outputs_stay_unchanged(digits_manifest, build_dir):
    profile = digits_manifest["monitor_profile"]
    assert profile["split"] == "train" and profile["stats"]["count"] == sum(profile["stats"]["classes"]) > 1000
    r = run_cli("monitor", "--board", "qemu-m4", "--model", "digits", "--feed", "split", "--drift", "rotate",
                "--drift-after", "300", "--samples", "800", "--json", build=build_dir)
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["status"] == "complete" and len(m["windows"]) == 8
    assert not any(w["over"] for w in m["windows"][:3])  # clean windows
    assert m["alarms"] and 300 < m["first_alarm_sample"] <= 800
    assert m["check"]["device_equals_host"] is True
    assert m["check"]["clean_samples"] == 300 and m["check"]["clean_agreement"] == 1.0
    d = build_dir / "digits" / "qemu-m4"
    assert json.loads((d / "monitor.json").read_text())["first_alarm_sample"] == m["first_alarm_sample"]
    assert "Drift over time (monitor.json, rotate from sample 300)" in (d / "report.html").read_text()


def test_nothing_listening_on_port(digits_manifest, build_dir):
    r = run_cli("monitor", "--board", "qemu-m4", "--model", "digits", "--port", f"socket://127.0.0.1:{free_port()}",
                build=build_dir)
    assert_clean_error(r, "cannot connect", "toolchain emulate")


def test_no_emulator_and_nothing_to_feed(digits_manifest, build_dir):
    r = run_cli("monitor", "--board", "qemu-m4", "--model", "digits", build=build_dir)
    assert_clean_error(r, "no emulator is running digits", "--feed split")


def test_a_drift_without_a_feed_is_refused_before_anything_runs(tmp_path):
    r = run_cli("monitor", "--board", "qemu-m4", "--model", "digits", "--drift", "noise", build=tmp_path)
    assert_clean_error(r, "--drift shifts the fed samples", "--feed split")
    assert not (tmp_path / "digits").exists()
