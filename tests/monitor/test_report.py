"""report.html from monitor.json alone: the drift plot, read from the file (report never imports monitor)."""

import json

from tests.architecture.test_imports import graph
from toolchain import report


def test_drift_plot_from_monitor_json_without_bench(tmp_path):
    windows = [{"end_sample": 100 * (i + 1), "class_psi": 0.05 * i, "confidence_psi": 0.1, "channel_kl": [0.0, 0.2 * i]}
               for i in range(6)]
    (tmp_path / "monitor.json").write_text(json.dumps({
        "model": "digits", "board": "qemu-m4", "runtime": "aot", "drift": "noise", "drift_after": 200,
        "thresholds": {"class_psi": 0.25, "confidence_psi": 0.25, "channel_kl": 0.1}, "windows": windows,
        "alarms": [{"window": 4, "sample": 500, "over": ["channel 1 KL"]}]}))
    html = report.write(tmp_path).read_text()
    assert "Drift over time (monitor.json, noise from sample 200)" in html
    assert html.count("data:image/png;base64") == 1 and "not benched yet" in html


def test_report_never_imports_monitor():
    assert not {m for m in graph()["toolchain.report"] if m.startswith("toolchain.monitor")}
