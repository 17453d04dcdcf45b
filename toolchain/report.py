"""`report.html` beside bench.json: one self-contained page, plots embedded as PNG.

The figures come from bench.json (the last plain run); the per-layer plot
from bench-profile.json (`bench --profile`), whose timers make it slower.

Plots: memory against the board's limits, accuracy (mean absolute error for
a regression model) of every artifact in the manifest (float, pruned, int8,
..., and the device), latency per layer when
the firmware was built with per-layer profiling, and drift over time from
monitor.json (`toolchain monitor`) when it exists.
"""

import base64
import io
import json
from pathlib import Path

import jinja2

from toolchain import manifest
from toolchain.errors import ToolchainError
from toolchain.paths import BENCH_FILE, MONITOR_FILE, PROFILE_FILE


class ReportError(ToolchainError):
    """Nothing to report."""

PAGE = jinja2.Template("""<!doctype html>
<html><head><meta charset="utf-8"><title>{{ b.model }} on {{ b.board }}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em .8em;text-align:left}</style></head>
<body><h1>{{ b.model }} on {{ b.board }} ({{ b.runtime }})</h1>
<p>Status: {{ b.status }}{% if b.error %} ({{ b.error }}){% endif %}.{% if b.wall_seconds is not none %} Wall time {{ b.wall_seconds }} s.{% endif %}</p>
<table>{% for k, v in rows %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
{% if compare %}<h2>Runtimes side by side (bench --compare)</h2>
<table><tr>{% for h in compare_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in compare %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if profiled %}<p>{{ profiled }}</p>{% endif %}
{% for title, png in plots %}<h2>{{ title }}</h2><img alt="{{ title }}" src="data:image/png;base64,{{ png }}">{% endfor %}
</body></html>
""", autoescape=True)


def write(directory: Path) -> Path:
    directory = Path(directory)
    plain, profile, mon = (_read(directory / name) for name in (BENCH_FILE, PROFILE_FILE, MONITOR_FILE))
    if plain is None and profile is None and mon is None:
        raise ReportError(f"no bench results in {directory} (nor {MONITOR_FILE})", "run `toolchain bench` first")
    stale_profile = plain is not None and profile is not None and _model_hash(plain) != _model_hash(profile)
    if stale_profile:
        profile = None  # per-layer figures of another model build would be mislabelled
    b = plain or profile or {"model": mon["model"], "board": mon["board"], "runtime": mon["runtime"],
                             "status": f"not benched yet ({MONITOR_FILE} only)", "wall_seconds": None}
    m = manifest.read(directory)
    deploy = Path(m["deploy"]) if m.get("deploy") else None
    if deploy is None or not deploy.exists() or manifest.file_hash(deploy)[:16] != _model_hash(b):
        m = {**m, "artifacts": []}  # the export table describes another model than the one benchmarked
    plots = [(t, _png(fig)) for t, fig in (("Memory vs board limits", _memory_plot(b)), _quality_plot(b, m),
                                           ("Latency per layer (profiled build)", _layer_plot(profile or b)),
                                           _drift_plot(mon))
             if fig is not None]
    out = directory / "report.html"
    note = (f"{PROFILE_FILE} is of another build of this model; run `toolchain bench --profile` again for "
            "per-layer figures." if stale_profile else _profile_note(plain, profile))
    table = b.get("compare")
    out.write_text(PAGE.render(b=b, rows=summary_rows(b), plots=plots, profiled=note,
                               compare=table and compare_rows(table), compare_headers=table and compare_headers(table)))
    return out


def _model_hash(bench: dict) -> str | None:
    return (bench.get("firmware") or {}).get("tflite_hash")


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def _profile_note(plain: dict | None, profile: dict | None) -> str:
    if profile is None:
        return ""
    lat = profile.get("latency")
    total = f" (median {median_text(lat)})" if lat else ""
    if plain is None:
        return (f"Only a profiled run so far{total}: per-layer timers make it slower than the firmware deployed; "
                "run `toolchain bench` without --profile for the plain figures.")
    return (f"Per-layer latency comes from a profiled build, {PROFILE_FILE}{total}: its timers make it slower "
            f"than the plain figures above ({BENCH_FILE}).")


MEMORY_ROWS = {"flash_bytes": "flash", "ram_bytes": "static RAM", "arena_bytes": "arena", "stack_bytes": "stack used"}


def median_text(lat: dict) -> str:
    """"139 us (qemu-aarch64 on x86_64 host, not a Pi)": the unit says where it was measured unless on the device."""
    value = next(v for k, v in lat.items() if k.endswith("_median") and k != "ticks_median")
    where = lat.get("measured_on", "device")
    unit = lat["unit"] if where == "device" or lat["unit"].endswith("(emulated)") else f"{lat['unit']} ({where})"
    return f"{value:,} {unit}"


def summary_rows(b: dict) -> list[tuple[str, str]]:
    lat, mem, acc = b.get("latency") or {}, b.get("memory") or {}, b.get("accuracy") or {}
    rows = []
    if lat:
        rows.append(("latency (median)", f"{median_text(lat)} over {lat['runs']} runs"))
    for k, label in MEMORY_ROWS.items():
        if mem and k in mem:
            limit = {"flash_bytes": mem.get("board_flash_bytes"), "stack_bytes": mem.get("stack_reserved_bytes")}.get(
                k, mem.get("board_ram_bytes"))
            value = "n/a (not measurable on this target)" if mem[k] is None else f"{mem[k]:,} B"
            rows.append((label, value + (f" of {limit:,} B" if limit and mem[k] is not None else "")))
    if acc and "mae_device" in acc:
        rows += [("MAE on device", f"{acc['mae_device']:.4f}"), ("MAE host int8", f"{acc['mae_host_int8']:.4f}")]
    elif acc:
        pct = lambda v: "n/a (no labels)" if v is None else f"{v * 100:.2f} %"  # noqa: E731
        rows += [("accuracy on device", pct(acc.get("device"))), ("accuracy host int8", pct(acc.get("host_int8")))]
    if acc:
        rows.append(("agreement with host int8", f"{acc['agreement'] * 100:.2f} % of {acc['samples']} samples"))
    return rows


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7, 3.2))


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _memory_plot(b: dict):
    mem = b.get("memory")
    if not mem:
        return None
    flash, ram = mem.get("board_flash_bytes") or 1, mem.get("board_ram_bytes") or 1
    # a value the target cannot measure is left out, not drawn as 0 %
    bars = [(label, mem[k], flash if k == "flash_bytes" else ram) for k, label in MEMORY_ROWS.items() if mem.get(k) is not None]
    if not bars:
        return None
    fig, ax = _figure()
    ax.barh([n for n, _, _ in bars], [max(100 * v / lim, 1e-3) for _, v, lim in bars], color="tab:blue")
    for i, (_, v, lim) in enumerate(bars):
        ax.text(1.5e-3, i, f"{v:,} B ({100 * v / lim:.3g} %)", va="center")
    ax.axvline(100, color="tab:red", linestyle="--")
    # log scale: a 20 kB model on a 4 MB board must still show up
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 200)
    ax.set_xlabel("% of the board's flash / RAM (log scale; red: the limit)")
    return fig


def _quality_plot(b: dict, m: dict) -> tuple[str, object]:
    """(title, figure or None): accuracy of every artifact and the device, or their MAE for a regression model."""
    acc = b.get("accuracy") or {}
    regression = "mae_device" in acc or m.get("task") == "regression"
    key, device = ("mae", acc.get("mae_device")) if regression else ("accuracy", acc.get("device"))
    rows = [(a["name"], a[key]) for a in m.get("artifacts", []) if a.get(key) is not None]
    if device is not None:
        rows.append((f"{b['board']} ({b['runtime']})", device))
    title = "MAE per artifact" if regression else "Accuracy per artifact"
    if not rows:
        return title, None
    fig, ax = _figure()
    ax.tick_params(axis="x", rotation=30)
    if regression:
        ax.bar([n for n, _ in rows], [v for _, v in rows], color="tab:purple")
        ax.set_ylabel("mean absolute error, held-out split\n(lower is better)")
        return title, fig
    ax.bar([n for n, _ in rows], [100 * v for _, v in rows], color="tab:green")
    ax.set_ylabel("accuracy, held-out split (%)")
    ax.set_ylim(min(100 * v for _, v in rows) - 5, 100)
    return title, fig


def _layer_plot(b: dict):
    layers = (b.get("latency") or {}).get("layers")
    if not layers:
        return None
    fig, ax = _figure()
    ax.bar([f"{l['index']}:{l['op']}" for l in layers], [l["value"] for l in layers], color="tab:orange")
    ax.set_ylabel(b["latency"]["unit"])
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    return fig


def _drift_plot(mon: dict | None) -> tuple[str, object]:
    """(title, figure or None): each window's drift scores against the sample count, thresholds dashed, alarms
    marked."""
    windows = (mon or {}).get("windows") or []
    shift = f", {mon['drift']} from sample {mon['drift_after']}" if mon and mon.get("drift") else ""
    title = f"Drift over time ({MONITOR_FILE}{shift})"
    if not windows:
        return title, None
    fig, ax = _figure()
    x = [w["end_sample"] for w in windows]
    ax.plot(x, [w["class_psi"] for w in windows], marker=".", label="class mix PSI", color="tab:blue")
    ax.plot(x, [w["confidence_psi"] for w in windows], marker=".", label="confidence PSI", color="tab:green")
    ax.plot(x, [max(w["channel_kl"], default=0) for w in windows], marker=".", label="max channel KL", color="tab:purple")
    th = mon["thresholds"]
    ax.axhline(th["class_psi"], color="tab:blue", linestyle="--", linewidth=0.8)
    ax.axhline(th["channel_kl"], color="tab:purple", linestyle="--", linewidth=0.8)
    for a in mon.get("alarms", []):
        ax.axvline(a["sample"], color="tab:red", linewidth=1.2)
    if mon.get("drift"):
        ax.axvline(mon["drift_after"], color="grey", linestyle=":")
    ax.set_yscale("symlog", linthresh=0.01)
    ax.set_xlabel("samples served (red: alarm; dotted: drift starts)")
    ax.set_ylabel("score (dashed: threshold)")
    ax.legend(fontsize=7)
    return title, fig


def compare_rows(table: dict) -> list[list[str]]:
    """The table as strings for the terminal: one column per runtime, then each ratio to the first."""
    names, base = table["runtimes"], table["base"]
    out = []
    for row in table["rows"]:
        cells = [row["what"]] + ["n/a" if row["values"][n] is None else f"{row['values'][n]:,}" for n in names]
        ratios = row[f"ratio_to_{base}"]
        out.append(cells + ["" if ratios[n] is None else f"{ratios[n]:.2f}x" for n in names[1:]])
    for pair, o in table["outputs"].items():
        out.append([f"outputs identical ({pair.replace('_', ' ')})", *[""] * len(names),
                    f"{o['identical']}/{o['samples']}"] + [""] * (len(names) - 2))
    out.append(["agreement with host int8"] + [f"{table['agreement_with_host'][n]:.3f}"
                                              if table["agreement_with_host"][n] is not None else "n/a" for n in names]
               + [""] * (len(names) - 1))
    return out


def compare_headers(table: dict) -> list[str]:
    names, base = table["runtimes"], table["base"]
    return ["", *names, *[f"{n} / {base}" for n in names[1:]]]
