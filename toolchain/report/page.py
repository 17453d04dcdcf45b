"""report.html: the page template and the rows and plots it is filled with."""

import json
from pathlib import Path

import jinja2

from toolchain import bench_file, manifest
from toolchain.boards import runtimes
from toolchain.errors import ToolchainError
from toolchain.paths import BENCH_FILE, MONITOR_FILE, PERSONALIZE_FILE, PROFILE_FILE, STREAM_FILE, VALIDATE_FILE
from toolchain.report.estimates import estimate_headers, estimate_plot, estimate_rows, estimate_summary_rows
from toolchain.report.plots import (MEMORY_ROWS, _confusion_plot, _drift_plot, _far_frr_plot, _layer_plot,
                                    _memory_plot, _personalize_plot, _plan_plot, _png, _quality_plot,
                                    _stream_timeline_plot, _training_plot, _validate_plot)
from toolchain.report.tables import (class_rows, compare_headers, compare_rows, history, history_headers, history_rows,
                                     layer_rows, lineage_rows, parity_rows)


RUNS_SHOWN = 10  # the latest bench runs in the page; `toolchain history` lists them all


class ReportError(ToolchainError):
    """Nothing to report."""

PAGE = jinja2.Template("""<!doctype html>
<html><head><meta charset="utf-8"><title>{{ b.model }} on {{ b.board }}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em .8em;text-align:left}</style></head>
<body><h1>{{ b.model }} on {{ b.board }} ({{ b.runtime }})</h1>
<p>Status: {{ b.status }}{% if b.error %} ({{ b.error }}){% endif %}.{% if b.wall_seconds is not none %} Wall time {{ b.wall_seconds }} s.{% endif %}</p>
<table>{% for k, v in rows %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
{% if runs %}<h2>Runs (latest last; changes against the previous complete run)</h2>
<table><tr>{% for h in runs_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in runs %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if estimates %}<h2>Estimates per inference (QEMU cycle model: {{ b.estimate.label }})</h2>
<table><tr>{% for h in estimate_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in estimates %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<p>How: {{ b.estimate.how }}. Not modelled: {{ b.estimate.not_modelled }}.</p>{% endif %}
{% if compare %}<h2>Runtimes side by side (bench --compare)</h2>
<table><tr>{% for h in compare_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in compare %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if classes %}<h2>Per class (held-out split): host int8 and device</h2>
<table><tr><th>class</th><th>samples</th><th>precision host</th><th>recall host</th><th>precision device</th><th>recall device</th></tr>
{% for row in classes %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if layers %}<h2>Layers</h2>
<table><tr><th>#</th><th>op</th><th>MACs</th><th>weights B</th><th>latency (profiled)</th></tr>
{% for row in layers %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if stream %}<h2>Streaming detection (bench --stream)</h2>
<table>{% for k, v in stream %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>{% endif %}
{% if personal %}<h2>Personalization (toolchain personalize)</h2>
<table>{% for k, v in personal %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>{% endif %}
{% if parity %}<h2>Parity of the imported ONNX model</h2>
<table>{% for k, v in parity %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>{% endif %}
{% if lineage %}<h2>Lineage</h2>
<table>{% for k, v in lineage %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>{% endif %}
{% if profiled %}<p>{{ profiled }}</p>{% endif %}
{% for title, png in plots %}<h2>{{ title }}</h2><img alt="{{ title }}" src="data:image/png;base64,{{ png }}">{% endfor %}
</body></html>
""", autoescape=True)


def write(directory: Path) -> Path:
    directory = Path(directory)
    plain, profile = bench_file.read(directory / BENCH_FILE), bench_file.read(directory / PROFILE_FILE)
    mon, stream, checked = _read(directory / MONITOR_FILE), _read(directory / STREAM_FILE), _read(directory / VALIDATE_FILE)
    personal = _read(directory / PERSONALIZE_FILE)
    if plain is None and profile is None and mon is None and stream is None and checked is None and personal is None:
        raise ReportError(f"no bench results in {directory} (nor {MONITOR_FILE}, {STREAM_FILE}, {VALIDATE_FILE} or "
                          f"{PERSONALIZE_FILE})", "run `toolchain bench` first")
    stale_profile = plain is not None and profile is not None and _model_hash(plain) != _model_hash(profile)
    if stale_profile:
        profile = None  # per-layer figures of another model build would be mislabelled
    only, only_name = next((d, n) for d, n in ((mon, MONITOR_FILE), (stream, STREAM_FILE), (checked, VALIDATE_FILE),
                                               (personal, PERSONALIZE_FILE), (plain or profile, BENCH_FILE)) if d)
    b = plain or profile or {"model": only["model"], "board": only["board"], "runtime": only["runtime"],
                             "status": f"not benched yet ({only_name} only)", "wall_seconds": None}
    m = manifest.read(directory)
    deploy = Path(m["deploy"]) if m.get("deploy") else None
    if deploy is None or not deploy.exists() or manifest.file_hash(deploy)[:16] != _model_hash(b):
        m = {**m, "artifacts": []}  # the export table describes another model than the one benchmarked
    labels = m.get("labels") or []
    plots = [(t, _png(fig)) for t, fig in (("Memory vs board limits", _memory_plot(b)), _quality_plot(b, m),
                                           ("Confusion matrices, host int8 and device", _confusion_plot(b, labels)),
                                           ("Latency per layer (profiled build)", _layer_plot(profile or b)),
                                           ("AOT arena plan (tensors over their lifetimes)",
                                            _plan_plot(_aot_plan(directory, b))),
                                           ("Training curves", _training_plot(m.get("train_history"))), _drift_plot(mon),
                                           _stream_timeline_plot(stream), _far_frr_plot(stream), _validate_plot(checked),
                                           _personalize_plot(personal), estimate_plot(b))
             if fig is not None]
    out = directory / "report.html"
    note = (f"{PROFILE_FILE} is of another build of this model; run `toolchain bench --profile` again for "
            "per-layer figures." if stale_profile else _profile_note(plain, profile))
    table = b.get("compare")
    out.write_text(PAGE.render(b=b, rows=summary_rows(b), plots=plots, profiled=note,
                               compare=table and compare_rows(table), compare_headers=table and compare_headers(table),
                               runs=history_rows(history(directory)[-RUNS_SHOWN:]), runs_headers=history_headers(),
                               classes=class_rows(b, labels), layers=layer_rows(b, profile),
                               lineage=lineage_rows(m), parity=parity_rows(m), stream=stream_rows(stream),
                               personal=personalize_rows(personal),
                               estimates=b.get("estimate") and estimate_rows(b["estimate"]),
                               estimate_headers=b.get("estimate") and estimate_headers(b["estimate"])))
    return out


def _aot_plan(directory: Path, b: dict) -> dict | None:
    """The plan the AOT compiler wrote beside the benched firmware's model.c, if it is of this model."""
    benched = [runtimes.find(n) for n in [b.get("runtime"), *((b.get("compare") or {}).get("runtimes") or [])]]
    aot = next((r for r in benched if r and r.ahead_of_time), None)
    if aot is None:
        return None
    plan = _read(directory / aot.project_dir / "generated" / "plan.json")
    return plan if plan and plan.get("model_hash") == _model_hash(b) else None


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




def stream_rows(stream: dict | None) -> list[tuple[str, str]]:
    """The streaming run's figures, as `bench --stream` prints them."""
    if not stream:
        return []
    if stream.get("status") != "complete":
        return [("status", f"{stream.get('status')}: {stream.get('error')}")]
    d, cost = stream["detector"], stream["cost"]
    delay = "n/a" if stream["delay_s_median"] is None else f"median {stream['delay_s_median']:.2f} s"
    return [("recording", f"{stream['duration_s'] / 60:.1f} min (seed {stream['recording_seed']}), "
                          f"{stream['keywords']} keywords"),
            ("detector", f"every {d['every_hops']} hops, mean of {d['average']}, threshold {d['threshold']}, "
                         f"{d['suppress_s']} s suppression ({stream['runtime']} runtime)"),
            ("false rejects", f"{stream['false_rejects_pct']:.1f} %"),
            ("false accepts", f"{stream['false_accepts']} ({stream['false_accepts_per_hour']:.1f} per hour)"),
            ("delay after the word", delay),
            ("per hop", f"{cost['per_hop']:,} {cost['unit']} (front-end {cost['frontend_per_hop']:,}, network "
                        f"{cost['network_per_inference']:,} per inference)"),
            ("host replay", "identical decisions and outputs" if stream["host_replay"]["identical"]
                            else f"differs: {stream['host_replay']}")]


def personalize_rows(r: dict | None) -> list[tuple[str, str]]:
    """personalize.json's figures: the update, held-back accuracy before and after, its cost and the replay."""
    if not r:
        return []
    if r.get("status") != "complete":
        return [("status", f"{r.get('status')}: {r.get('error')}")]
    acc, cost, mem = r["accuracy"], r["cost"], r["memory"]
    how = (f"SGD, {r['epochs']} epochs, learning rate {r['lr']:g}" if r["mode"] == "sgd"
           else f"imprint of new class '{r['new_class']}'")
    return [("update", f"{how}; {r['shots']} shots per class from {r['data']} (seed {r['seed']}); head "
                       f"{r['head']['arithmetic']}"),
            ("held-back accuracy", f"{100 * acc['before']['accuracy']:.1f} % before, {100 * acc['after']['accuracy']:.1f} % "
                                   f"after ({r['examples']['held']} examples)"),
            *([("the recipe's test split", f"{100 * r['test_split']['before']:.1f} % before, "
                                           f"{100 * r['test_split']['after']:.1f} % after ({r['test_split']['samples']} "
                                           "samples; host: TFLM's embeddings, the replayed head)")]
              if r.get("test_split") else []),
            ("cost", f"{cost['update_instructions']:,} instructions for the update ("
                     + (f"{cost['instructions_per_step']:,} per step" if r["mode"] == "sgd"
                        else f"from {cost['steps']} examples")
                     + f"), {cost['whole_update_instructions']:,} with the embeddings ({cost['unit']})"),
            ("extra RAM", f"{mem['extra_ram_bytes'] or 0:,} B (head {mem['head_bytes']:,} B, learning store "
                          f"{mem['learn_store_bytes']:,} B, held-back store {mem['held_store_bytes']:,} B)"),
            ("host replay", ("the device's head, bit for bit" if r["replay"]["head_identical"]
                             else f"differs in {r['replay']['bytes_differing']} bytes")
                            + ("; the embeddings too" if r["replay"].get("embeddings_identical")
                               else "; the embeddings differ"))]


def median_text(lat: dict) -> str:
    """"139 us (qemu-aarch64 on x86_64 host, not a Pi)": the unit says where it was measured unless on the device."""
    value = next(v for k, v in lat.items() if k.endswith("_median") and k != "ticks_median")
    where = lat.get("measured_on", "device")
    unit = lat["unit"] if where == "device" or lat["unit"].endswith("(emulated)") else f"{lat['unit']} ({where})"
    return f"{value:,} {unit}"


def summary_rows(b: dict) -> list[tuple[str, str]]:
    lat, mem, acc = b.get("latency") or {}, b.get("memory") or {}, b.get("accuracy") or {}
    rows = [("deployed model", b["variant"])] if b.get("variant") else []
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
    return rows + estimate_summary_rows(b)
