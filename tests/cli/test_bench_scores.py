"""What bench scores: accuracy for a classifier, mean absolute error for a regression model."""

import numpy as np
import pytest

from toolchain import report
from toolchain.report import plots
from toolchain.bench import summarize

SCALE, ZP = 0.01, -5


def test_regression_is_scored_by_mae_against_the_labels():
    y = np.array([0.5, -0.2, 0.0, 1.0])
    host = np.round(y / SCALE + ZP).astype(np.int32).reshape(-1, 1)   # exact to the quantization step
    device = host + np.array([[0], [10], [0], [-10]])                 # two samples 0.1 off
    acc = summarize(device, host, y, regression=(SCALE, ZP))
    assert acc["mae_device"] == pytest.approx(0.05) and acc["mae_host_int8"] == pytest.approx(0.0, abs=1e-9)
    assert acc["device"] is None and acc["host_int8"] is None
    assert acc["agreement"] == 0.5 and acc["max_abs_diff"] == 10
    assert "top1_agreement" not in acc, "top-1 means nothing for a single output"
    rows = dict(report.summary_rows({"accuracy": acc}))
    assert rows["MAE on device"] == "0.0500" and rows["MAE host int8"] == "0.0000"
    assert not any("accuracy" in k for k in rows)


def test_classification_keeps_accuracy_and_top1():
    host = np.array([[1, 9], [8, 2], [0, 5]])
    device = np.array([[1, 9], [2, 8], [0, 5]])
    acc = summarize(device, host, np.array([1, 0, 0]))
    assert acc["device"] == pytest.approx(1 / 3) and acc["host_int8"] == pytest.approx(2 / 3)
    assert acc["top1_agreement"] == pytest.approx(2 / 3) and "mae_device" not in acc


def test_report_plots_mae_per_artifact_for_a_regression_model():
    b = {"board": "qemu-m4", "runtime": "aot", "accuracy": {"mae_device": 0.07, "device": None}}
    m = {"task": "regression", "artifacts": [{"name": "float", "accuracy": None, "mae": 0.05},
                                             {"name": "int8", "accuracy": None, "mae": 0.07}]}
    title, fig = plots._quality_plot(b, m)
    ax = fig.axes[0]
    assert title == "MAE per artifact" and "mean absolute error" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["float", "int8", "qemu-m4 (aot)"]
    assert [round(p.get_height(), 3) for p in ax.patches] == [0.05, 0.07, 0.07]
