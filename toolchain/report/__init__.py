"""`report.html` beside bench.json: one self-contained page, plots embedded as PNG.

The figures come from bench.json (the last plain run); the per-layer plot
from bench-profile.json (`bench --profile`), whose timers make it slower.

Plots: memory against the board's limits, accuracy (mean absolute error for
a regression model) of every artifact in the manifest (float, pruned, int8,
..., and the device), latency per layer when
the firmware was built with per-layer profiling, and drift over time from
monitor.json (`toolchain monitor`) when it exists.

Imports: leaves only; it reads bench.json, runs/ and manifest.json, never the steps."""

from toolchain.report.estimates import estimate_headers, estimate_rows
from toolchain.report.page import RUNS_SHOWN, ReportError, PAGE, write, stream_rows, median_text, summary_rows
from toolchain.report.tables import compare_headers, compare_rows, history, history_headers, history_rows
